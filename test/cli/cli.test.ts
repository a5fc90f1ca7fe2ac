import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { capture } from '../support/cli-io.js';

describe('aion CLI skeleton', () => {
  it('prints help and exits 0', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out).toContain('Usage: aion');
    expect(io.out).toContain('--json');
  });

  it('prints the package version', async () => {
    const io = capture();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reports an unknown command as a usage error with exit code 2', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err).toContain('error[usage]');
    expect(io.err).toContain('frobnicate');
    expect(io.err).toContain('hint:');
  });

  it('prints errors as JSON with --json', async () => {
    const io = capture();
    expect(await main(['--json', 'frobnicate'], io)).toBe(2);
    const parsed = JSON.parse(io.out) as { error: { code: string; message: string } };
    expect(parsed.error.code).toBe('usage');
  });
});

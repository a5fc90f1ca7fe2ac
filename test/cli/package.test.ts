import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/output.js';
import { fixturesDir, workflowsPath } from '../replay/scenarios.js';

const changedPath = new URL('../replay/workflows-changed.ts', import.meta.url).pathname;

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    isTTY: false,
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('aion build / aion replay', () => {
  it('builds a <name>-<short hash>.aion package with identical bytes on every build', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-cli-build-'));
    const io = capture();
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    expect(await main(['--json', 'build', workflowsPath, '--out', a, '--name', 'golden'], io)).toBe(
      0,
    );
    const summary = JSON.parse(io.out) as {
      file: string;
      version: string;
      workflowTypes: string[];
    };
    expect(path.basename(summary.file)).toBe(`golden-${summary.version.slice(0, 12)}.aion`);
    expect(summary.workflowTypes.length).toBeGreaterThan(0);
    expect(await main(['build', workflowsPath, '--out', b, '--name', 'golden'], capture())).toBe(0);
    const [fileA] = readdirSync(a);
    const [fileB] = readdirSync(b);
    expect(fileA).toBe(fileB);
    expect(readFileSync(path.join(a, fileA!)).equals(readFileSync(path.join(b, fileB!)))).toBe(
      true,
    );
  });

  it('replays golden histories against a built package, and reports the divergence against changed code', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-cli-replay-'));
    expect(await main(['build', workflowsPath, '--out', dir], capture())).toBe(0);
    const [pkg] = readdirSync(dir);
    const history = path.join(fixturesDir, 'sequential-activities.json');

    const ok = capture();
    expect(
      await main(['--json', 'replay', '--package', path.join(dir, pkg!), '--history', history], ok),
    ).toBe(0);
    const okRows = (JSON.parse(ok.out) as { results: { ok: boolean }[] }).results;
    expect(okRows).toEqual([expect.objectContaining({ ok: true, file: history })]);

    const bad = capture();
    const code = await main(['replay', '--package', changedPath, '--history', history], bad);
    expect(code).not.toBe(0);
    expect(bad.out).toMatch(/^FAIL .*sequential-activities\.json.*\[nondeterminism\]/m);

    const missing = capture();
    expect(
      await main(
        ['replay', '--package', path.join(dir, pkg!), '--history', path.join(dir, 'nope.json')],
        missing,
      ),
    ).not.toBe(0);
    expect(missing.err).toContain('nope.json');

    const corrupt = capture();
    expect(
      await main(
        ['replay', '--package', history.replace(/\.json$/, '.aion'), '--history', history],
        corrupt,
      ),
    ).not.toBe(0);
  });
});

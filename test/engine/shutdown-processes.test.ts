import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore } from '../../src/index.js';

const workflowsPath = new URL('../fixtures/workflows/basic.ts', import.meta.url).pathname;

/** Commands of this process's live direct children (an exited child not yet reaped is not one). */
function children(): string[] {
  const out = execFileSync('ps', ['-o', 'ppid=,stat=,args=', '-A'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/))
    .filter(
      (m): m is RegExpMatchArray =>
        m !== null && Number(m[1]) === process.pid && !m[2]!.startsWith('Z'),
    )
    .map((m) => m[3]!);
}

describe('engine shutdown', () => {
  it('leaves no esbuild service process behind (workflowsPath builds with esbuild)', async () => {
    const engine = await createEngine({ store: createMemoryStore(), workflowsPath });
    expect(children().some((c) => c.includes('esbuild'))).toBe(true);
    await engine.shutdown();
    for (let i = 0; i < 100 && children().some((c) => c.includes('esbuild')); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(children().filter((c) => c.includes('esbuild'))).toEqual([]);
  });
});

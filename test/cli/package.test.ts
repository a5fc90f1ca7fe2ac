import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createEngine } from '../../src/index.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { capture } from '../support/cli-io.js';
import { fixturesDir, workflowsPath } from '../replay/scenarios.js';

const changedPath = new URL('../replay/workflows-changed.ts', import.meta.url).pathname;

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

  it("exports a run history from a live engine's data directory, and that history replays", async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-cli-history-'));
    const source = path.join(dir, 'wf.ts');
    writeFileSync(
      source,
      `import { sleep } from 'aion/workflow';\nexport async function nap(n: number): Promise<number> { await sleep(1); return n * 2; }\n`,
    );
    const dataDir = path.join(dir, 'data');
    const engine = await createEngine({ dataDir, workflowsPath: source });
    try {
      const handle = await engine.start('nap', { workflowId: 'nap-1', args: [21] });
      expect(await handle.result()).toBe(42);
      // The engine still holds the store: the export reads without the owner lock.
      const out = path.join(dir, 'nap-1.json');
      expect(await main(['history', 'nap-1', '--data-dir', dataDir, '--out', out], capture())).toBe(
        0,
      );
      const exported = JSON.parse(readFileSync(out, 'utf8')) as {
        workflowId: string;
        events: { type: string }[];
      };
      expect(exported.workflowId).toBe('nap-1');
      expect(exported.events.at(-1)?.type).toBe('WorkflowCompleted');
      const replayed = capture();
      expect(await main(['replay', '--package', source, '--history', out], replayed)).toBe(0);
      expect(replayed.out).toMatch(/^OK .*nap-1/);

      const missing = capture();
      expect(await main(['history', 'nope', '--data-dir', dataDir], missing)).toBe(3);
      expect(missing.err).toContain('error[not_found]');
    } finally {
      await engine.shutdown();
      await engine.store.close();
    }
  });
});

describe('aion check', () => {
  it('exits 0 on clean workflow code, 2 with each finding on forbidden APIs, and --strict fails on warnings', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-cli-check-'));
    const clean = capture();
    expect(await main(['check', workflowsPath], clean)).toBe(0);
    expect(clean.out).toMatch(/file\(s\) checked: 0 error\(s\), 0 warning\(s\)/);

    const bad = path.join(dir, 'bad.ts');
    writeFileSync(
      bad,
      'export async function w() {\n  setInterval(() => 0, 1);\n  return process.env.X;\n}\n',
    );
    const human = capture();
    expect(await main(['check', bad], human)).toBe(2);
    expect(human.out).toContain('bad.ts:2:3  error  timer');
    expect(human.out).toContain('bad.ts:3:10  error  host-global');
    expect(human.out).toContain("hint: use sleep() or condition() from 'aion/workflow'");
    expect(human.err).toBe('');

    const json = capture();
    expect(await main(['--json', 'check', bad], json)).toBe(2);
    const result = JSON.parse(json.out) as { errors: number; findings: { rule: string }[] };
    expect(result.errors).toBe(2);
    expect(result.findings.map((f) => f.rule)).toEqual(['timer', 'host-global']);

    const warn = path.join(dir, 'warn.ts');
    writeFileSync(warn, 'export async function w() {\n  return new Date(0).toLocaleString();\n}\n');
    expect(await main(['check', warn], capture())).toBe(0);
    expect(await main(['check', warn, '--strict'], capture())).toBe(2);
  });
});

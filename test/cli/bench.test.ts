// `aion bench` through the built CLI (run `npm run build` first): embedded on a temporary
// SQLite database beside the configured one, and against a real server in a namespace of its
// own. Figures are checked for sanity only (no timing thresholds: the machine is shared).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, spawnAion, until, type AionProcess } from '../support/aion-process.js';
import { listeningUrl, spawnServer, startLine } from '../support/aion-server.js';

interface Report {
  mode: string;
  machine: { cores: number; cpuModel: string; memoryGiB: number; node: string };
  store?: { kind: string; location: string; durability: Record<string, string> };
  server?: { address: string; namespace: string };
  scenarios: {
    s1?: {
      workflows: number;
      eventsPerWorkflow: number;
      workflowsPerSec: number;
      activitiesPerSec: number;
      eventsPerSec: number;
      cpuMsPerWorkflow?: number;
      singleRuns: number;
      warmupRuns: number;
      singleRunP50Ms: number;
      singleRunP99Ms: number;
      floor?: { singleCommitP50Ms: number; floorMs: number; singleRunVsFloor: number };
    };
    s2?: { activities: number; wallP50Ms: number; wallP99Ms: number };
    s3?: { workflows: number; sleepMs: number; totalMs: number; overheadMs: number };
  };
  cleanup: { ok: boolean; namespace?: string; errors?: string[] };
}

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-bench-cli-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs `aion <args>` in `cwd` to completion. */
async function aionIn(cwd: string, args: readonly string[]) {
  const p = spawnAion(args, { cwd });
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

describe('aion bench, embedded', () => {
  it('runs S1 on a temporary SQLite database in the configured data directory, prints sane figures and leaves nothing behind', async () => {
    const cwd = tempDir();
    const dataDir = path.join(cwd, 'data');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'keep.txt'), 'user data\n');
    writeFileSync(path.join(cwd, 'aion.config.json'), JSON.stringify({ dataDir: 'data' }));
    const out = await aionIn(cwd, [
      'bench',
      '--scenario',
      's1',
      '--workflows',
      '50',
      '--warmup-runs',
      '10',
      '--output',
      'json',
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as Report;
    expect(report.mode).toBe('embedded');
    expect(report.store?.kind).toBe('sqlite');
    // The configuration's data directory (aion.config.json), in a directory of its own.
    expect(path.dirname(path.dirname(report.store!.location))).toBe(dataDir);
    expect(report.store?.durability.synchronous).toBe('FULL');
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    const s1 = report.scenarios.s1!;
    expect(s1.workflows).toBe(50);
    expect(s1.workflowsPerSec).toBeGreaterThan(0);
    expect(s1.activitiesPerSec).toBeCloseTo(3 * s1.workflowsPerSec, -1);
    expect(s1.eventsPerWorkflow).toBeGreaterThan(6);
    expect(s1.eventsPerSec).toBeGreaterThan(s1.workflowsPerSec);
    expect(s1.cpuMsPerWorkflow).toBeGreaterThan(0);
    expect(s1.singleRuns).toBe(50);
    expect(s1.warmupRuns).toBe(10);
    expect(s1.singleRunP50Ms).toBeGreaterThan(0);
    expect(s1.singleRunP99Ms).toBeGreaterThanOrEqual(s1.singleRunP50Ms);
    expect(s1.floor!.singleCommitP50Ms).toBeGreaterThan(0);
    expect(s1.floor!.floorMs).toBeCloseTo(4 * s1.floor!.singleCommitP50Ms, 2);
    expect(s1.floor!.singleRunVsFloor).toBeGreaterThan(0);
    expect(report.scenarios.s2).toBeUndefined();
    expect(report.cleanup.ok).toBe(true);
    expect(readdirSync(dataDir)).toEqual(['keep.txt']);
  });

  it('prints a table, and removes a data directory it had to create', async () => {
    const cwd = tempDir();
    const dataDir = path.join(cwd, 'not', 'yet');
    const out = await aionIn(cwd, [
      'bench',
      '--scenario',
      's2,s3',
      '--workflows',
      '20',
      '--fan-out',
      '10',
      '--data-dir',
      dataDir,
    ]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('durability  journal_mode=WAL, synchronous=FULL');
    expect(out.stdout).toMatch(/S2 {2}one workflow fanning out 10 activities/);
    expect(out.stdout).toMatch(/S3 {2}20 workflows sleeping 2\.0 s/);
    expect(out.stdout).toContain('cleanup: removed the temporary database');
    expect(existsSync(path.join(cwd, 'not'))).toBe(false);
  });

  it('refuses an unknown scenario', async () => {
    const out = await cli(['bench', '--scenario', 's4']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--scenario takes a comma-separated list of s1, s2, s3');
  });

  it('refuses a warm-up that is not a whole number', async () => {
    const out = await cli(['bench', '--warmup-runs', '-1']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--warmup-runs must be a whole number from 0 to 100000');
  });
});

describe('aion bench, against a server', () => {
  let dataDir: string;
  let server: AionProcess;
  let address: string;

  beforeAll(async () => {
    dataDir = tempDir();
    server = spawnServer(dataDir, { json: true, activities: false });
    address = (await startLine(server)).address;
  });

  afterAll(() => {
    server.child.kill('SIGKILL');
  });

  it('refuses without --yes-create-workflows, saying what it would do, and creates nothing', async () => {
    const out = await cli(['bench', '--address', address]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('error[invalid_argument]');
    expect(out.stderr).toContain('creates a namespace aion-bench-<random>');
    expect(out.stderr).toMatch(/hint: pass --yes-create-workflows/);
    const list = await cli(['--json', 'namespace', 'list', '--address', address]);
    const names = (JSON.parse(list.stdout) as { namespaces: { name: string }[] }).namespaces;
    expect(names.map((n) => n.name)).toEqual(['default']);
  });

  it('runs the scenarios in a namespace of its own, and leaves no open run in it', async () => {
    const out = await cli([
      'bench',
      '--address',
      address,
      '--yes-create-workflows',
      '--workflows',
      '20',
      '--single-runs',
      '5',
      '--warmup-runs',
      '5',
      '--fan-out',
      '10',
      '--output',
      'json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as Report;
    expect(report.mode).toBe('server');
    const namespace = report.server!.namespace;
    expect(namespace).toMatch(/^aion-bench-[0-9a-f]{8}$/);
    expect(report.scenarios.s1!.workflows).toBe(20);
    expect(report.scenarios.s1!.workflowsPerSec).toBeGreaterThan(0);
    expect(report.scenarios.s1!.cpuMsPerWorkflow).toBeUndefined();
    expect(report.scenarios.s2!.wallP99Ms).toBeGreaterThanOrEqual(report.scenarios.s2!.wallP50Ms);
    expect(report.scenarios.s3!.totalMs).toBeGreaterThanOrEqual(2000);
    expect(report.cleanup).toMatchObject({ ok: true, namespace, errors: [] });

    const remote = (...args: string[]) => cli([...args, '--address', address]);
    const ns = await remote('--json', 'namespace', 'describe', namespace);
    // Closed runs are deleted a minute after they close; nothing of the bench stays open.
    expect((JSON.parse(ns.stdout) as { retentionMs: number }).retentionMs).toBe(60_000);
    const open = await remote('count', "ExecutionStatus = 'RUNNING'", '--namespace', namespace);
    expect(open.stdout.trim()).toBe('0');
    const closed = await remote('count', "ExecutionStatus = 'COMPLETED'", '--namespace', namespace);
    expect(Number(closed.stdout.trim())).toBeGreaterThan(40);
    // The user's namespace is untouched.
    const mine = await remote('count', '--namespace', 'default');
    expect(mine.stdout.trim()).toBe('0');
  });

  it('cleans up when interrupted: stops starting runs and terminates those still open', async () => {
    const p = spawnAion([
      'bench',
      '--address',
      address,
      '--yes-create-workflows',
      '--scenario',
      's3',
      '--workflows',
      '100000',
    ]);
    const namespace = await until(
      'the bench to announce its namespace',
      () => /namespace (aion-bench-[0-9a-f]{8})/.exec(p.stdout())?.[1],
      120_000,
    );
    const remote = (...args: string[]) => cli([...args, '--address', address]);
    const openRuns = async (): Promise<number> =>
      Number(
        (await remote('count', "ExecutionStatus = 'RUNNING'", '--namespace', namespace)).stdout,
      );
    // More than one: S3's warm-up is a single run (a 1 ms sleeper) that may be counted open
    // while it closes. Once S3 itself starts, it starts sleepers until the signal stops it, and
    // each stays open for 2 s, so the cleanup has some to terminate.
    await until('the first sleepers to start', async () =>
      (await openRuns()) > 1 ? true : undefined,
    );
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(130);
    expect(p.stderr()).toContain('SIGINT: stopping the bench and cleaning up');
    expect(p.stderr()).toMatch(/bench stopped; cleanup: terminated \d+ open runs/);
    expect(await openRuns()).toBe(0);
  });
});

describe('aion bench, against a server with API keys', () => {
  it('uses the API key of --api-key; without one it is refused and creates nothing', async () => {
    const dataDir = tempDir();
    const keyFile = path.join(dataDir, 'first-admin.key');
    const server = spawnServer(dataDir, { auth: true, args: ['--initial-key-file', keyFile] });
    try {
      const address = await listeningUrl(server);
      const token = readFileSync(keyFile, 'utf8').trim();
      const bench = ['bench', '--address', address, '--yes-create-workflows', '--output', 'json'];
      const refused = await cli(bench);
      expect(refused.code).toBe(7);
      expect(refused.stderr).toContain('error[unauthenticated]');
      const small = [
        '--scenario',
        's1',
        '--workflows',
        '10',
        '--single-runs',
        '3',
        '--warmup-runs',
        '3',
      ];
      const out = await cli([...bench, ...small, '--api-key', token]);
      expect(out.code, out.stderr).toBe(0);
      const report = JSON.parse(out.stdout) as Report;
      expect(report.cleanup.ok).toBe(true);
      const list = await cli([
        '--json',
        'namespace',
        'list',
        '--address',
        address,
        '--api-key',
        token,
      ]);
      const names = (JSON.parse(list.stdout) as { namespaces: { name: string }[] }).namespaces;
      expect(names.map((n) => n.name).sort()).toEqual([report.server!.namespace, 'default']);
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});

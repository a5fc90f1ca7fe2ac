import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, root, until, type AionProcess } from '../support/aion-process.js';
import { spawnServer, startLine } from '../support/aion-server.js';
import { doctoredArchive } from '../support/doctored-packages.js';

// One server for the file (no in-process activities: they run in a remote worker).
let dataDir: string;
let server: AionProcess;
let address: string;
const others: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'aion-remote-cli-'));
  server = spawnServer(dataDir, { json: true, activities: false });
  address = (await startLine(server)).address;
});

afterAll(() => {
  for (const c of others) c.kill('SIGKILL');
  server.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** `aion <args> --address <the server>`. */
const aion = (...args: string[]) => cli([...args, '--address', address]);

async function statusOf(workflowId: string): Promise<string> {
  const out = await aion('--json', 'describe', workflowId);
  return (JSON.parse(out.stdout) as { status: string }).status;
}

describe('aion reopen and aion retry', () => {
  it('reopens a CANCELLED run as a new run that keeps its recorded state; refuses an open one, hinting at retry', async () => {
    expect((await aion('start', 'counter', '--workflow-id', 'c1', '--arg', '1')).code).toBe(0);
    expect((await aion('signal', 'c1', 'add', '--arg', '2')).code).toBe(0);
    await until('the signal to be applied', async () =>
      (await aion('query', 'c1', 'count')).stdout === '3\n' ? true : undefined,
    );
    expect((await aion('cancel', 'c1')).code).toBe(0);
    await until('the run to be cancelled', async () =>
      (await statusOf('c1')) === 'CANCELLED' ? true : undefined,
    );
    const cancelledRun = (
      JSON.parse((await aion('--json', 'describe', 'c1')).stdout) as { runId: string }
    ).runId;

    const reopened = await aion('--json', 'reopen', 'c1', '--reason', 'cancelled by mistake');
    expect(reopened.code).toBe(0);
    const out = JSON.parse(reopened.stdout) as { workflowId: string; runId: string };
    expect(out.workflowId).toBe('c1');
    expect(out.runId).not.toBe(cancelledRun);
    // The new run replays the recorded signal and names the run it reopens.
    await until('the reopened run to answer', async () =>
      (await aion('query', 'c1', 'count')).stdout === '3\n' ? true : undefined,
    );
    expect((await aion('history', 'c1', '--run-id', out.runId)).stdout).toContain(cancelledRun);

    const refused = await aion('reopen', 'c1');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('error[invalid_state]');
    expect(refused.stderr).toMatch(/hint: .*`aion retry`/);
  });

  it('retries an open run; refuses a closed one with a hint towards reopen', async () => {
    expect((await aion('start', 'counter', '--workflow-id', 'k2', '--arg', '1')).code).toBe(0);
    const retried = await aion('--json', 'retry', 'k2');
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toEqual({ workflowId: 'k2', repinned: false });
    expect((await aion('retry', 'k2')).stdout).toBe('retry k2: ok\n');

    await aion('terminate', 'k2');
    const refused = await aion('retry', 'k2');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('error[workflow_closed]');
    expect(refused.stderr).toMatch(/hint: .*`aion reopen`/);
    const missing = await aion('--json', 'retry', 'nope');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('aion workers', () => {
  it('lists the connected workers per task queue', async () => {
    const none = await aion('workers');
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('no workers connected');

    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'test/server/fixtures/worker.ts'), address],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    others.push(worker);
    const listing = await until('the worker to be listed', async () => {
      const out = JSON.parse((await aion('--json', 'workers')).stdout) as {
        namespace: string;
        workers: { identity: string; taskQueue: string; activityTypes: string[] }[];
        taskQueues: { name: string }[];
      };
      return out.workers.length > 0 ? out : undefined;
    });
    expect(listing.namespace).toBe('default');
    expect(listing.workers).toEqual([
      expect.objectContaining({
        identity: `fixture-worker-${worker.pid}`,
        taskQueue: 'default',
        activityTypes: expect.arrayContaining(['echo']) as unknown,
      }),
    ]);
    expect(listing.taskQueues.map((q) => q.name)).toEqual(['default']);

    const human = await aion('workers');
    expect(human.stdout).toMatch(/^TASK QUEUE\s+WORKERS\s+IN FLIGHT\s+BACKLOG/);
    expect(human.stdout).toMatch(/^default\s+1\s+0\s+0/m);
    expect(human.stdout).toMatch(
      new RegExp(`^fixture-worker-${worker.pid}\\s+default\\s+0/\\d+\\s+ready`, 'm'),
    );

    // A run's activity goes to that worker.
    const executed = await aion('--json', 'execute', 'greet', '--arg', 'ivy');
    expect(JSON.parse(executed.stdout)).toMatchObject({ result: 'hi ivy' });

    const unknown = await aion('workers', '--namespace', 'nope');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('error[not_found]');
    expect(unknown.stderr).toMatch(/hint: .*`aion namespace list`/);
  });
});

describe('aion deploy', () => {
  it('refuses a package whose manifest names a type its bundle does not export; nothing is stored', async () => {
    const { archive } = await doctoredArchive(dataDir, 'real', {
      workflowTypes: (types) => [...types, { name: 'ghostType', entry: 'ghostType' }],
    });
    const file = path.join(dataDir, 'ghost.aion');
    writeFileSync(file, archive);
    const before = (await aion('--json', 'versions')).stdout;
    const refused = await aion('deploy', file);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error[package_invalid]');
    expect(refused.stderr).toContain('ghostType');
    expect((await aion('--json', 'versions')).stdout).toBe(before);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Connection } from '../../src/client/index.js';
import { cli, root, until, type AionProcess } from '../support/aion-process.js';
import { listeningUrl, spawnServer } from '../support/aion-server.js';

/** Runs `aion server` as a real process and waits until it listens. */
async function startServerProcess(
  dataDir: string,
  env: Record<string, string> = {},
  options: { activities?: boolean; auth?: boolean; extraArgs?: string[] } = {},
): Promise<AionProcess & { url: string }> {
  const server = spawnServer(dataDir, {
    env,
    auth: options.auth === true,
    activities: options.activities !== false,
    args: options.extraArgs ?? [],
  });
  return { ...server, url: await listeningUrl(server) };
}

let dataDir: string | undefined;
const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

describe('aion server as a process', () => {
  it('a run in flight survives kill -9 of the server and finishes after restart; the CLI drives it', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'aion-server-proc-'));
    const first = await startServerProcess(dataDir, { AION_TEST_ECHO_DELAY: '1500' });
    running.push(first.child);
    const started = await cli([
      '--json',
      'start',
      'greet',
      '--workflow-id',
      'g1',
      '--arg',
      'kim',
      '--address',
      first.url,
    ]);
    expect(started.code).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ workflowId: 'g1' });

    const client = new Client({ connection: await Connection.connect({ address: first.url }) });
    await until('the activity to start', async () =>
      (await client.getHandle('g1').describe()).pendingActivities.some((a) => a.state === 'STARTED')
        ? true
        : undefined,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    const second = await startServerProcess(dataDir);
    running.push(second.child);
    const executed = await cli([
      '--json',
      'execute',
      'greet',
      '--arg',
      'lee',
      '--address',
      second.url,
    ]);
    expect(executed.code).toBe(0);
    expect(JSON.parse(executed.stdout)).toMatchObject({ result: 'hi lee' });
    const again = new Client({ connection: await Connection.connect({ address: second.url }) });
    expect(await again.getHandle('g1').result()).toBe('hi kim');
    const history = await again.getHandle('g1').fetchHistory();
    // The activity's outcome is recorded exactly once.
    expect(history.events.filter((e) => e.type === 'ActivityCompleted')).toHaveLength(1);

    const described = await cli(['describe', 'g1', '--address', second.url]);
    expect(described.stdout).toMatch(/status\s+COMPLETED/);
    const missing = await cli(['describe', 'nope', '--address', second.url]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('error[not_found]');
    const down = await cli(['describe', 'g1', '--address', 'http://127.0.0.1:9']);
    expect(down.code).toBe(6);
    expect(down.stderr).toContain('error[unavailable]');
    expect(down.stderr).toContain('hint:');
  });

  it('SIGTERM drains and exits 0; open runs continue after the next start', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'aion-server-proc-'));
    const first = await startServerProcess(dataDir);
    running.push(first.child);
    const client = new Client({ connection: await Connection.connect({ address: first.url }) });
    const h = await client.workflow.start('counter', { workflowId: 'k1', args: [1] });
    await h.signal('add', 1);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toContain('SIGTERM: draining');

    const second = await startServerProcess(dataDir);
    running.push(second.child);
    const again = new Client({ connection: await Connection.connect({ address: second.url }) });
    const k1 = again.getHandle('k1');
    expect(await k1.query('count')).toBe(2);
    await k1.signal('finish');
    expect(await k1.result()).toBe(2);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('server, remote worker and CLI as three processes: activities run in the worker, with an API key', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'aion-server-proc-'));
    const keys = await cli([
      '--json',
      'key',
      'create',
      '--role',
      'admin',
      '--name',
      'ops',
      '--data-dir',
      dataDir,
    ]);
    expect(keys.code).toBe(0);
    const admin = (JSON.parse(keys.stdout) as { token: string }).token;
    const workerKey = (
      JSON.parse(
        (await cli(['--json', 'key', 'create', '--role', 'worker', '--data-dir', dataDir])).stdout,
      ) as { token: string }
    ).token;
    const server = await startServerProcess(dataDir, {}, { activities: false, auth: true });
    running.push(server.child);
    expect(server.stderr()).toContain('auth on');

    // Without a worker the activity waits in the backlog; the CLI blocks on the result.
    const executing = cli([
      '--json',
      'execute',
      'greet',
      '--arg',
      'zoe',
      '--address',
      server.url,
      '--api-key',
      admin,
    ]);
    const worker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL('./fixtures/worker.ts', import.meta.url).pathname,
        server.url,
        workerKey,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.push(worker);
    const executed = await executing;
    expect(executed.code).toBe(0);
    expect(JSON.parse(executed.stdout)).toMatchObject({ result: 'hi zoe' });

    const denied = await cli(['list', '--address', server.url]);
    expect(denied.code).toBe(7);
    expect(denied.stderr).toContain('error[unauthenticated]');
    const workers = await cli(['--json', 'list', '--address', server.url, '--api-key', workerKey]);
    expect(workers.code).toBe(7);
    expect(JSON.parse(workers.stdout)).toMatchObject({ error: { code: 'permission_denied' } });
    worker.kill('SIGTERM');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('server kill -9 while a remote worker runs an activity leased in its scheduling commit: the outcome is recorded once after restart', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'aion-server-proc-'));
    // A fixed port, so the worker reconnects to the restarted server at the same address.
    const net = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as { port: number };
        probe.close(() => resolve(p));
      });
    });
    const portArgs = ['--port', String(port)];
    const first = await startServerProcess(dataDir, {}, { activities: false, extraArgs: portArgs });
    running.push(first.child);
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('./fixtures/worker.ts', import.meta.url).pathname, first.url],
      {
        cwd: root,
        env: { ...process.env, AION_TEST_ECHO_DELAY: '1500' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    running.push(worker);
    const client = new Client({ connection: await Connection.connect({ address: first.url }) });
    await until('the worker to register', async () => {
      const workers = await fetch(`${first.url}/api/v1/namespaces/default/workers`);
      const body = (await workers.json()) as { workers: unknown[] };
      return body.workers.length > 0 ? true : undefined;
    });
    await client.workflow.start('greet', { workflowId: 'remote-g', args: ['ida'] });
    await until('the activity to run on the worker', async () =>
      (await client.getHandle('remote-g').describe()).pendingActivities.some(
        (a) => a.state === 'STARTED',
      )
        ? true
        : undefined,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    const second = await startServerProcess(
      dataDir,
      {},
      { activities: false, extraArgs: portArgs },
    );
    running.push(second.child);
    const again = new Client({ connection: await Connection.connect({ address: second.url }) });
    expect(await again.getHandle('remote-g').result()).toBe('hi ida');
    const history = await again.getHandle('remote-g').fetchHistory();
    expect(history.events.filter((e) => e.type === 'ActivityCompleted')).toHaveLength(1);
    worker.kill('SIGTERM');
  });
});

// A query on a closed run is answered from a replay of its history (as Temporal does), on the
// engine, through aion server with the remote client, and with `aion query`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAionError, type WorkflowClient } from '../../src/index.js';
import { cli, until, type AionProcess } from '../support/aion-process.js';
import { spawnServer, startLine } from '../support/aion-server.js';
import { eventually, openEngine, openServer, STORES, type OpenServer } from './client-setup.js';

async function scenario(workflow: WorkflowClient, id: string): Promise<void> {
  // COMPLETED: the state at its end.
  const done = await workflow.start('cart', { workflowId: `${id}-done`, args: [['a']] });
  await done.executeUpdate('addItem', { args: ['b'] });
  await done.signal('checkout');
  expect(await done.result()).toEqual(['a', 'b']);
  expect(await done.query('items')).toEqual(['a', 'b']);
  expect((await done.describe()).status).toBe('COMPLETED');

  // CONTINUED_AS_NEW: the first run, addressed by its run id, answers with its own state.
  const chain = await workflow.start('cart', { workflowId: `${id}-chain`, args: [['x']] });
  const firstRun = chain.runId!;
  await chain.executeUpdate('addItem', { args: ['y'] });
  await chain.signal('rollover');
  await eventually('the successor', async () =>
    (await workflow.getHandle(`${id}-chain`).query<string>('runId')) !== firstRun
      ? true
      : undefined,
  );
  await chain.executeUpdate('addItem', { args: ['z'] });
  const first = workflow.getHandle(`${id}-chain`, firstRun);
  expect(await first.query('items')).toEqual(['x', 'y']);
  expect(await first.query('runId')).toBe(firstRun);
  expect(await chain.query('items')).toEqual(['x', 'y', 'z']);

  // FAILED and TERMINATED runs answer too.
  const failed = await workflow.start('failingCart', { workflowId: `${id}-failed` });
  await failed.signal('add', 7);
  await expect(failed.result()).rejects.toBeDefined();
  expect(await failed.query('items')).toEqual(['7']);
  await chain.terminate('enough');
  expect(await workflow.getHandle(`${id}-chain`).query('items')).toEqual(['x', 'y', 'z']);

  // An unknown query on a closed run fails like on an open one.
  const unknown = await done.query('nope').catch((e: unknown) => e);
  expect(isAionError(unknown)).toBe(true);
}

for (const kind of STORES) {
  describe(`queries on closed runs (engine, ${kind})`, () => {
    let open: Awaited<ReturnType<typeof openEngine>>;
    beforeAll(async () => {
      open = await openEngine(kind);
    });
    afterAll(() => open.close());

    it('completed, continued-as-new, failed and terminated runs answer from their history', () =>
      scenario(open.engine.client.workflow, `closed-${kind}`));
  });
}

describe('queries on closed runs (remote client, aion server)', () => {
  let srv: OpenServer;
  beforeAll(async () => {
    srv = await openServer();
  });
  afterAll(() => srv.close());

  it('completed, continued-as-new, failed and terminated runs answer from their history', () =>
    scenario(srv.client.workflow, 'closed-remote'));
});

describe('aion query on a closed run', () => {
  let dataDir: string;
  let server: AionProcess;
  let address: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'aion-closed-query-'));
    server = spawnServer(dataDir, { json: true });
    address = (await startLine(server)).address;
  });
  afterAll(() => {
    server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  const aion = (...args: string[]) => cli([...args, '--address', address]);

  it('answers from the completed run', async () => {
    expect((await aion('start', 'counter', '--workflow-id', 'q1', '--arg', '1')).code).toBe(0);
    expect((await aion('signal', 'q1', 'add', '--arg', '2')).code).toBe(0);
    expect((await aion('signal', 'q1', 'finish')).code).toBe(0);
    await until('the run to complete', async () => {
      const out = await aion('--json', 'describe', 'q1');
      return (JSON.parse(out.stdout) as { status: string }).status === 'COMPLETED'
        ? true
        : undefined;
    });
    const query = await aion('query', 'q1', 'count');
    expect(query.code).toBe(0);
    expect(query.stdout).toBe('3\n');
  });
});

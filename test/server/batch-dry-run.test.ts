/**
 * `POST {ns}/batches` with `dryRun: true`: the query is checked as for a job, the matching
 * runs are counted and the first 20 shown, and nothing is started, stored or audited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Connection } from '../../src/client/index.js';
import type { RunCommit } from '../../src/store/index.js';
import { storeFixtures } from '../../src/testing/index.js';
import { capture } from '../support/cli-io.js';
import { codeOf } from '../support/errors.js';
import { call, startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const BATCHES = '/api/v1/namespaces/default/batches';

describe('batch dry run', () => {
  it('counts and shows the matching runs, starting nothing', async () => {
    t = await startTestServer({ auth: true, roles: ['reader', 'operator'] });
    const operator = new Client({
      connection: await Connection.connect({ address: t.url, apiKey: t.tokens.operator! }),
    });
    for (const id of ['d-1', 'd-2', 'd-3'])
      await operator.workflow.start('counter', { workflowId: id, args: [0] });
    // 25 closed runs of another type, written through the store.
    const closed: RunCommit[] = Array.from({ length: 25 }, (_, i) => ({
      run: storeFixtures.makeRunKey({ workflowId: `bulk-${String(i).padStart(2, '0')}` }),
      expectedSeq: 0,
      events: [
        storeFixtures.startedEvent({ at: storeFixtures.T0 + i, workflowType: 'bulk' }),
        storeFixtures.terminalEvent(2, storeFixtures.T0 + i + 1),
      ],
    }));
    expect((await t.engine.store.commit(closed)).every((o) => o.ok)).toBe(true);
    const auditBefore = await t.engine.store.readAudit({ limit: 1000 });

    const dry = await operator.batch.dryRun({
      query: "WorkflowType = 'counter'",
      operation: { type: 'terminate', reason: 'cleanup' },
    });
    expect(dry.dryRun).toBe(true);
    expect(dry.matched).toBe(3);
    expect(dry.sample.map((i) => i.workflowId).sort()).toEqual(['d-1', 'd-2', 'd-3']);
    expect(dry.sample[0]).toMatchObject({ workflowType: 'counter', status: 'RUNNING' });
    expect(dry.sample[0]!.startTime).toBeInstanceOf(Date);

    // More than 20: the count is whole, the sample the first 20 in the job's order.
    const many = await call(t.url, 'POST', BATCHES, {
      token: t.tokens.operator!,
      body: {
        query: "WorkflowType = 'bulk' ORDER BY WorkflowId",
        operation: { type: 'signal', signal: 'add', args: [1] },
        dryRun: true,
      },
    });
    expect(many.status).toBe(200);
    expect(many.body.dryRun).toBe(true);
    expect(many.body.matched).toBe(25);
    const sample = many.body.sample as { workflowId: string; startTime: string }[];
    expect(sample.map((i) => i.workflowId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `bulk-${String(i).padStart(2, '0')}`),
    );
    expect(sample[0]!.startTime).toBe(new Date(storeFixtures.T0).toISOString());

    // Nothing started, stored or audited; the runs are untouched.
    expect(await operator.batch.list()).toEqual([]);
    for (const id of ['d-1', 'd-2', 'd-3'])
      expect((await operator.workflow.getHandle(id).describe()).status).toBe('RUNNING');
    const audited = (await t.engine.store.readAudit({ limit: 1000 })).slice(auditBefore.length);
    expect(audited.filter((e) => e.action.startsWith('batch.'))).toEqual([]);

    // The CLI's --dry-run.
    const { main } = await import('../../src/cli/main.js');
    const flags = ['--address', t.url, '--api-key', t.tokens.operator!];
    const out = capture();
    const args = ['batch', 'start', '--query', "WorkflowType = 'counter'", '--cancel'];
    expect(await main([...args, '--dry-run', ...flags], out)).toBe(0);
    expect(out.out).toMatch(/^dry run: cancel would apply to 3 runs; nothing was started$/m);
    expect(out.out).toMatch(/^d-\d\s+\S+\s+counter\s+RUNNING/m);
    const json = capture();
    expect(await main(['--json', ...args, '--dry-run', ...flags], json)).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ dryRun: true, matched: 3 });
    expect(await operator.batch.list()).toEqual([]);

    // A real start of the same query is audited and runs (the check above can fail).
    await operator.batch.start({
      query: "WorkflowType = 'counter'",
      operation: { type: 'cancel' },
    });
    expect((await operator.batch.list()).length).toBe(1);
    const after = (await t.engine.store.readAudit({ limit: 1000 })).slice(auditBefore.length);
    expect(after.filter((e) => e.action === 'batch.start')).toHaveLength(1);
  });

  it('checks the query and operation exactly as a job start does', async () => {
    t = await startTestServer({ auth: true, roles: ['reader', 'operator'] });
    const operator = new Client({
      connection: await Connection.connect({ address: t.url, apiKey: t.tokens.operator! }),
    });
    const cancel = { type: 'cancel' } as const;
    for (const query of ['   ', 'Nope ==', "WorkflowType = 'x' GROUP BY ExecutionStatus"]) {
      const dry = await call(t.url, 'POST', BATCHES, {
        token: t.tokens.operator!,
        body: { query, operation: cancel, dryRun: true },
      });
      const real = await call(t.url, 'POST', BATCHES, {
        token: t.tokens.operator!,
        body: { query, operation: cancel },
      });
      expect(dry.status, query).toBe(400);
      expect(dry.body).toMatchObject({ code: 'invalid_argument', details: { field: 'query' } });
      expect(real.status, query).toBe(400);
      expect(real.body.code).toBe(dry.body.code);
    }
    for (const body of [
      { query: 'ExecutionStatus = "Running"', dryRun: true },
      { query: 'ExecutionStatus = "Running"', operation: { type: 'explode' }, dryRun: true },
      { query: 'ExecutionStatus = "Running"', operation: cancel, dryRun: 'yes' },
    ]) {
      const res = await call(t.url, 'POST', BATCHES, { token: t.tokens.operator!, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    // The operator role, as for a job.
    const byReader = await call(t.url, 'POST', BATCHES, {
      token: t.tokens.reader!,
      body: { query: 'ExecutionStatus = "Running"', operation: cancel, dryRun: true },
    });
    expect(byReader.status).toBe(403);
    expect(byReader.body.code).toBe('permission_denied');
    expect(
      await codeOf(() =>
        new Client({ connection: operator.connection, namespace: 'nowhere' }).batch.dryRun({
          query: 'ExecutionStatus = "Running"',
          operation: cancel,
        }),
      ),
    ).toBe('not_found');
    expect(await operator.batch.list()).toEqual([]);
  });
});

import assert from 'node:assert/strict';
import type { BatchJobProgress, BatchJobRecord } from '../contract/index.js';
import { rejectsWithCode } from './check.js';
import { T0 } from './fixtures.js';
import type { StoreScenario } from './types.js';

function job(jobId: string, fields: Partial<BatchJobRecord> = {}): BatchJobRecord {
  return {
    namespace: 'default',
    jobId,
    query: "WorkflowType = 'counter'",
    operation: {
      type: 'signal',
      signal: 'add',
      args: [{ encoding: 'json/plain', data: '10' }],
    },
    subject: 'k1',
    state: 'RUNNING',
    startedAt: T0,
    closedAt: null,
    matched: 0,
    succeeded: 0,
    skipped: 0,
    failed: 0,
    failures: [],
    error: null,
    stopRequested: false,
    owner: 'node-a',
    leaseUntil: T0 + 1000,
    ...fields,
  };
}

function progress(fields: Partial<BatchJobProgress> = {}): BatchJobProgress {
  return {
    matched: 5,
    succeeded: 3,
    skipped: 1,
    failed: 1,
    failures: [{ workflowId: 'wf-1', runId: 'r-1', code: 'internal', message: 'boom' }],
    state: 'RUNNING',
    closedAt: null,
    error: null,
    leaseUntil: T0 + 2000,
    ...fields,
  };
}

export const batchJobScenarios: StoreScenario[] = [
  {
    name: 'batch jobs: created once while RUNNING, replaced once closed, read back whole',
    tags: ['batch-jobs'],
    async run({ store }) {
      assert.equal(await store.getBatchJob('default', 'j1'), undefined);
      const a = job('j1');
      assert.deepStrictEqual(await store.createBatchJob(a), { created: true, job: a });
      const again = await store.createBatchJob(job('j1', { query: 'other', owner: 'node-b' }));
      assert.deepStrictEqual(again, { created: false, job: a }, 'a RUNNING job is kept');
      assert.deepStrictEqual(await store.getBatchJob('default', 'j1'), a);
      assert.equal(await store.getBatchJob('other', 'j1'), undefined, 'keys include the namespace');
      const closed = progress({ state: 'COMPLETED', closedAt: T0 + 5 });
      await store.updateBatchJob('default', 'j1', 'node-a', closed);
      const b = job('j1', { startedAt: T0 + 10, owner: 'node-b' });
      assert.deepStrictEqual(await store.createBatchJob(b), { created: true, job: b });
      await rejectsWithCode(store.createBatchJob(job('')), 'invalid_argument');
      await rejectsWithCode(
        store.createBatchJob(job('j2', { state: 'COMPLETED', closedAt: null })),
        'invalid_argument',
      );
      assert.equal(await store.getBatchJob('default', 'j2'), undefined, 'bad jobs write nothing');
    },
  },
  {
    name: 'batch jobs: listed per namespace, newest first, bounded',
    tags: ['batch-jobs'],
    async run({ store }) {
      await store.createBatchJob(job('b', { startedAt: T0 + 1 }));
      await store.createBatchJob(job('a', { startedAt: T0 + 2 }));
      await store.createBatchJob(job('c', { startedAt: T0 + 1 }));
      await store.createBatchJob(job('x', { namespace: 'other', startedAt: T0 + 9 }));
      const ids = async (limit: number): Promise<string[]> =>
        (await store.listBatchJobs('default', limit)).map((j) => j.jobId);
      assert.deepStrictEqual(await ids(10), ['a', 'c', 'b']);
      assert.deepStrictEqual(await ids(2), ['a', 'c']);
      assert.deepStrictEqual(await store.listBatchJobs('nobody', 10), []);
    },
  },
  {
    name: 'batch jobs: progress is written only by the owner of a RUNNING job',
    tags: ['batch-jobs'],
    async run({ store }) {
      await store.createBatchJob(job('j1'));
      const p = progress();
      const written = await store.updateBatchJob('default', 'j1', 'node-a', p);
      assert.deepStrictEqual(written, { ...job('j1'), ...p });
      assert.equal(await store.updateBatchJob('default', 'j1', 'node-b', progress()), undefined);
      assert.equal(await store.updateBatchJob('default', 'nope', 'node-a', progress()), undefined);
      const done = progress({ state: 'FAILED', closedAt: T0 + 50, error: 'query failed' });
      assert.deepStrictEqual(await store.updateBatchJob('default', 'j1', 'node-a', done), {
        ...job('j1'),
        ...done,
      });
      assert.equal(
        await store.updateBatchJob('default', 'j1', 'node-a', progress()),
        undefined,
        'a closed job takes no more writes',
      );
      assert.equal((await store.getBatchJob('default', 'j1'))?.state, 'FAILED');
      await rejectsWithCode(
        store.updateBatchJob('default', 'j1', 'node-a', progress({ matched: -1 })),
        'invalid_argument',
      );
    },
  },
  {
    name: 'batch jobs: a stop request flags a RUNNING job and leaves a closed one as is',
    tags: ['batch-jobs'],
    async run({ store }) {
      await store.createBatchJob(job('j1'));
      await store.createBatchJob(job('j2'));
      await store.updateBatchJob(
        'default',
        'j2',
        'node-a',
        progress({ state: 'COMPLETED', closedAt: T0 }),
      );
      assert.equal((await store.requestBatchJobStop('default', 'j1'))?.stopRequested, true);
      const closed = await store.requestBatchJobStop('default', 'j2');
      assert.deepStrictEqual([closed?.state, closed?.stopRequested], ['COMPLETED', false]);
      assert.equal(await store.requestBatchJobStop('default', 'nope'), undefined);
      const seen = await store.updateBatchJob('default', 'j1', 'node-a', progress());
      assert.equal(seen?.stopRequested, true, 'the runner sees the flag at its next write');
    },
  },
  {
    name: 'batch jobs: RUNNING jobs whose lease expired are claimed once, by one owner',
    tags: ['batch-jobs'],
    async run({ store }) {
      await store.createBatchJob(job('live', { leaseUntil: T0 + 5000 }));
      await store.createBatchJob(job('expired', { leaseUntil: T0 + 1000 }));
      await store.createBatchJob(job('x', { namespace: 'other', leaseUntil: T0 }));
      await store.createBatchJob(job('done', { leaseUntil: T0 }));
      await store.updateBatchJob(
        'default',
        'done',
        'node-a',
        progress({ state: 'CANCELLED', closedAt: T0, leaseUntil: T0 }),
      );
      const claimed = await store.claimBatchJobs('node-b', T0 + 1000, T0 + 9000, 10);
      assert.deepStrictEqual(
        claimed.map((j) => [j.namespace, j.jobId, j.owner, j.leaseUntil]).sort(),
        [
          ['default', 'expired', 'node-b', T0 + 9000],
          ['other', 'x', 'node-b', T0 + 9000],
        ],
      );
      assert.deepStrictEqual(await store.claimBatchJobs('node-c', T0 + 1000, T0 + 9000, 10), []);
      assert.equal(
        await store.updateBatchJob('default', 'expired', 'node-a', progress()),
        undefined,
        'the former owner writes nothing',
      );
      assert.ok(await store.updateBatchJob('default', 'expired', 'node-b', progress()));
      const one = await store.claimBatchJobs('node-c', T0 + 20_000, T0 + 30_000, 1);
      assert.equal(one.length, 1, 'at most limit jobs');
    },
  },
  {
    name: 'batch jobs: closed jobs past the retention are purged, running ones kept',
    tags: ['batch-jobs'],
    async run({ store }) {
      for (const [id, closedAt] of [
        ['old1', T0],
        ['old2', T0 + 1],
        ['new', T0 + 100],
      ] as const) {
        await store.createBatchJob(job(id));
        await store.updateBatchJob(
          'default',
          id,
          'node-a',
          progress({ state: 'COMPLETED', closedAt }),
        );
      }
      await store.createBatchJob(job('running', { startedAt: T0 - 1000 }));
      assert.equal(await store.purgeBatchJobs(T0 + 50, 1), 1);
      assert.equal(await store.purgeBatchJobs(T0 + 50, 10), 1);
      assert.deepStrictEqual(
        (await store.listBatchJobs('default', 10)).map((j) => j.jobId).sort(),
        ['new', 'running'],
      );
    },
  },
];

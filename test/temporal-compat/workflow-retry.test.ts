// The workflow retry policy (`retry` start option) as in Temporal: a run whose code fails is
// followed by a new run of the same workflow id after the backoff, attempt one higher, until
// it succeeds, the attempts run out, or the failure is not retryable. Cancel and terminate
// are never retried. The backoff is durable: a restart during it neither loses nor doubles
// the next attempt.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  isAionError,
  WorkflowFailedError,
  type Engine,
  type WorkflowStartOptions,
} from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';
import { eventually, openEngine, openServer, STORES, type OpenServer } from './client-setup.js';
import type { AttemptInfo } from './fixtures/workflow-retry.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/workflow-retry.ts', import.meta.url).pathname;
const fast = { initialInterval: 5, backoffCoefficient: 2, maximumInterval: 20 };

interface Api {
  start(type: string, options: WorkflowStartOptions): Promise<{ result(): Promise<unknown> }>;
  cancel(id: string): Promise<void>;
  terminate(id: string): Promise<void>;
  statuses(id: string): Promise<string[]>;
}

async function failureOf(p: Promise<unknown>): Promise<WorkflowFailedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return err as WorkflowFailedError;
}

function causeOf(err: WorkflowFailedError): string {
  return (err.cause as Error).message;
}

function scenarios(api: () => Api, prefix: string): void {
  it('retries a failing workflow until an attempt succeeds, as one chain', async () => {
    const id = `${prefix}-succeeds`;
    const handle = await api().start('flaky', {
      workflowId: id,
      args: [3],
      retry: { ...fast, maximumAttempts: 3 },
    });
    const out = (await handle.result()) as AttemptInfo;
    expect(out.attempt).toBe(3);
    expect(out.args).toEqual([3, 'Flaky']);
    expect(out.continuedFrom).toBeDefined();
    expect(out.firstRunId).not.toBe(out.runId);
    expect(await api().statuses(id)).toEqual(['FAILED', 'FAILED', 'COMPLETED']);
  });

  it('fails for good once maximumAttempts is reached', async () => {
    const id = `${prefix}-exhausted`;
    const handle = await api().start('flaky', {
      workflowId: id,
      args: [5],
      retry: { ...fast, maximumAttempts: 2 },
    });
    const err = await failureOf(handle.result());
    expect((err.cause as Error).message).toBe('attempt 2 failed');
    expect(await api().statuses(id)).toEqual(['FAILED', 'FAILED']);
  });

  it('does not retry a non-retryable failure or a listed failure type', async () => {
    const fatal = await api().start('fatal', { workflowId: `${prefix}-fatal`, retry: fast });
    expect(causeOf(await failureOf(fatal.result()))).toBe('fatal on attempt 1');
    expect(await api().statuses(`${prefix}-fatal`)).toEqual(['FAILED']);
    const listed = await api().start('flaky', {
      workflowId: `${prefix}-listed`,
      args: [3, 'Permanent'],
      retry: { ...fast, nonRetryableErrorTypes: ['Permanent'] },
    });
    expect(causeOf(await failureOf(listed.result()))).toBe('attempt 1 failed');
    expect(await api().statuses(`${prefix}-listed`)).toEqual(['FAILED']);
  });

  it('does not retry a cancelled or terminated run', async () => {
    const cancelled = await api().start('waitForever', {
      workflowId: `${prefix}-cancel`,
      retry: fast,
    });
    await api().cancel(`${prefix}-cancel`);
    expect((await failureOf(cancelled.result())).status).toBe('CANCELLED');
    const terminated = await api().start('waitForever', {
      workflowId: `${prefix}-terminate`,
      retry: fast,
    });
    await api().terminate(`${prefix}-terminate`);
    expect((await failureOf(terminated.result())).status).toBe('TERMINATED');
    expect(await api().statuses(`${prefix}-cancel`)).toEqual(['CANCELLED']);
    expect(await api().statuses(`${prefix}-terminate`)).toEqual(['TERMINATED']);
  });

  it('retries a child workflow; the parent sees only the last attempt', async () => {
    const ok = await api().start('parentOfFlaky', { workflowId: `${prefix}-parent`, args: [2, 3] });
    const out = (await ok.result()) as { child: AttemptInfo };
    expect(out.child.attempt).toBe(2);
    expect(await api().statuses(`${prefix}-parent-child`)).toEqual(['FAILED', 'COMPLETED']);
    const bad = await api().start('parentOfFlaky', {
      workflowId: `${prefix}-parent2`,
      args: [9, 2],
    });
    expect(await bad.result()).toEqual({ failed: 'ChildWorkflowFailure: attempt 2 failed' });
    expect(await api().statuses(`${prefix}-parent2-child`)).toEqual(['FAILED', 'FAILED']);
  });

  it('refuses a bad retry policy naming the field', async () => {
    for (const [retry, field] of [
      [{ maximumAttempts: -1 }, 'retry.maximumAttempts'],
      [{ backoffCoefficient: 0.5 }, 'retry.backoffCoefficient'],
      [{ initialInterval: 'soon' }, 'retry.initialInterval'],
      [{ initialInterval: 100, maximumInterval: 10 }, 'retry.maximumInterval'],
      [{ maxAttempts: 3 }, 'retry.maxAttempts'],
    ] as const) {
      const err = await api()
        .start('flaky', { args: [1], retry: retry as NonNullable<WorkflowStartOptions['retry']> })
        .catch((e: unknown) => e);
      expect(isAionError(err) && err.code, JSON.stringify(retry)).toBe('invalid_argument');
      expect((err as { details: { field?: string } }).details.field).toBe(field);
    }
  });
}

function engineApi(engine: Engine): Api {
  return {
    start: (type, options) => engine.client.workflow.start(type, options),
    cancel: (id) => engine.getHandle(id).cancel(),
    terminate: (id) => engine.getHandle(id).terminate('enough'),
    statuses: async (id) => {
      const runs = await engine.store.getRunChain('default', id);
      return runs.map((r) => r.status);
    },
  };
}

for (const kind of STORES) {
  describe(`workflow retry policy (engine, ${kind})`, () => {
    let open: Awaited<ReturnType<typeof openEngine>>;
    beforeAll(async () => {
      open = await openEngine(kind, workflowsPath);
    });
    afterAll(() => open.close());
    scenarios(() => engineApi(open.engine), `wr-${kind}`);
  });
}

describe('workflow retry policy (remote client over HTTP)', () => {
  let srv: OpenServer;
  beforeAll(async () => {
    srv = await openServer(workflowsPath);
  });
  afterAll(() => srv.close());
  scenarios(
    () => ({
      ...engineApi(srv.engine),
      start: (type, options) => srv.client.workflow.start(type, options),
      cancel: (id) => srv.client.workflow.getHandle(id).cancel(),
      terminate: (id) => srv.client.workflow.getHandle(id).terminate('enough'),
    }),
    'wr-http',
  );
});

describe('workflow retry policy in the time-skipping environment', () => {
  it('skips the backoff: hours between attempts pass at once', async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath });
    try {
      const before = env.currentTimeMs;
      const out = (await env.client.workflow.execute('flaky', {
        args: [3],
        retry: { initialInterval: '1 hour', maximumAttempts: 3 },
      })) as AttemptInfo;
      expect(out.attempt).toBe(3);
      // 1 h before attempt 2, then 2 h (coefficient 2) before attempt 3.
      expect(env.currentTimeMs - before).toBeGreaterThanOrEqual(3 * 3_600_000);
    } finally {
      await env.teardown();
    }
  });
});

describe('workflow retry policy across a restart (SQLite)', () => {
  it('starts exactly one next attempt after the engine stops during the backoff', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aion-wfretry-'));
    const file = path.join(dir, 'aion.db');
    try {
      let store = await openSqliteStore({ path: file });
      let engine = await createEngine({ store, workflowsPath, logger: quiet });
      const handle = await engine.client.workflow.start('flaky', {
        workflowId: 'wr-restart',
        args: [2],
        retry: { initialInterval: '3 seconds', maximumAttempts: 3 },
      });
      // The first attempt failed and its successor is due in 3 s: stop now.
      await eventually('the first attempt to fail', async () => {
        const runs = await store.getRunChain('default', 'wr-restart');
        return runs[0]?.status === 'FAILED' ? true : undefined;
      });
      const first = handle.runId;
      await engine.shutdown();
      await store.close();
      expect((await reopenChain(file)).map((r) => r.status)).toEqual(['FAILED']);
      store = await openSqliteStore({ path: file });
      engine = await createEngine({ store, workflowsPath, logger: quiet });
      const out = (await engine.getHandle('wr-restart').result()) as AttemptInfo;
      expect(out.attempt).toBe(2);
      expect(out.continuedFrom).toBe(first);
      // A later outbox sweep finds nothing left to start.
      const runs = await store.getRunChain('default', 'wr-restart');
      expect(runs.map((r) => r.status)).toEqual(['FAILED', 'COMPLETED']);
      expect(await store.listOutbox({ limit: 10 })).toEqual([]);
      await engine.shutdown();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function reopenChain(file: string): Promise<{ status: string }[]> {
  const store = await openSqliteStore({ path: file });
  try {
    return await store.getRunChain('default', 'wr-restart');
  } finally {
    await store.close();
  }
}

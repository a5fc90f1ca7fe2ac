/**
 * Store faults against a private PostgreSQL cluster: connections terminated under load and a
 * full outage. The process must survive (no unhandled rejection, no uncaught exception),
 * every run must complete once the store is back, no completed activity is recorded twice,
 * and client calls during an outage fail with `store_unavailable` within their deadline.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { isAionError } from '../../src/core/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import {
  canRunPrivatePostgres,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../support/private-postgres.js';
import { collectEscapedErrors } from '../support/escaped-errors.js';
import {
  allCompleted,
  expectEachStepOnce,
  faultWorkflowsPath,
  faultWorkload,
  FAULT_STEPS,
  signalFaultRuns,
  startFaultRuns,
} from '../support/fault-workload.js';

/** Activity executions per workflow and step (an execution = one attempt that returned). */
const { activities, executions } = faultWorkload((i) => 5 + (i % 7));
const faults = collectEscapedErrors();

let pg: PrivatePostgres | undefined;
let engine: Engine | undefined;
let store: PostgresStore | undefined;

beforeAll(async () => {
  pg = await startPrivatePostgres();
}, 120_000);

afterAll(async () => {
  await pg?.destroy();
}, 60_000);

afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 2000 }).catch(() => undefined);
  await store?.close().catch(() => undefined);
  engine = undefined;
  store = undefined;
  executions.clear();
  faults.length = 0;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function open(schema: string, storeRetryDeadlineMs?: number): Promise<Engine> {
  store = await openPostgresStore({ connectionString: pg!.url, schema, poolSize: 8 });
  engine = await createEngine({
    store,
    workflowsPath: faultWorkflowsPath,
    activities,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ...(storeRetryDeadlineMs !== undefined ? { storeRetryDeadlineMs } : {}),
  });
  return engine;
}

/**
 * Every run completed with a contiguous history, one start, one signal, one terminal, and
 * each activity recorded completed exactly once — and executed exactly once.
 */
async function checkRuns(e: Engine, ids: readonly string[]): Promise<void> {
  await until('every run to complete', () => allCompleted(e, ids), 120_000);
  await expectEachStepOnce(e, ids, executions);
}

describe.skipIf(!canRunPrivatePostgres())('store faults on PostgreSQL', () => {
  it('survives connections terminated under load and completes every run', async () => {
    const e = await open('terminate');
    const ids = Array.from({ length: 150 }, (_, i) => `t-${i}`);
    let stop = false;
    let rounds = 0;
    let terminated = 0;
    const killer = (async () => {
      while (!stop) {
        await sleep(200);
        terminated += await pg!.terminateBackends().catch(() => 0);
        rounds++;
      }
    })();
    try {
      await startFaultRuns(e, ids);
      // The runs cannot finish before their signal: a few rounds hit them mid-work first.
      await until('a few rounds of terminations', () => Promise.resolve(rounds >= 8));
      await signalFaultRuns(e, ids);
      // Keep terminating while the runs work through their activities and timers.
      await until('every run to complete', () => allCompleted(e, ids), 120_000);
    } finally {
      stop = true;
      await killer;
    }
    expect(rounds).toBeGreaterThanOrEqual(8);
    expect(terminated).toBeGreaterThan(0);
    await checkRuns(e, ids);
    expect(faults).toEqual([]);
    expect(e.storeStatus().available).toBe(true);
  }, 180_000);

  it('rides out a database outage: client calls fail with store_unavailable, every run continues after', async () => {
    const e = await open('outage', 1500);
    const ids = Array.from({ length: 60 }, (_, i) => `o-${i}`);
    await startFaultRuns(e, ids);
    await sleep(300);
    await pg!.stop();
    const down = Date.now();
    // Client calls during the outage: each fails with store_unavailable within its deadline.
    const calls = await Promise.all(
      [
        e.getHandle('o-1').describe(),
        e.getHandle('o-2').signalWithRequestId('go-o-2', 'go', 'done'),
        e.start('faulty', { workflowId: 'late', args: ['late', FAULT_STEPS] }),
        e.list(),
      ].map((p) =>
        p.then(
          () => 'ok',
          (err: unknown) => err,
        ),
      ),
    );
    const failedAt = Date.now();
    for (const err of calls) {
      expect(isAionError(err) && err.code).toBe('store_unavailable');
      expect(isAionError(err) && err.retryable).toBe(true);
    }
    await until('the engine to see the store unavailable', async () => !e.storeStatus().available);
    expect(await e.checkStore({ timeoutMs: 1000 })).toBe(false);
    // The outage lasts about 8 s, past the deadline of every call above.
    await sleep(Math.max(0, 8000 - (Date.now() - down)));
    expect(failedAt - down).toBeLessThan(8000);
    await pg!.start();
    await until('the store to be available again', () => e.checkStore({ timeoutMs: 1000 }));
    await signalFaultRuns(e, ids);
    await checkRuns(e, ids);
    expect(e.storeStatus().available).toBe(true);
    expect(faults).toEqual([]);
  }, 180_000);
});

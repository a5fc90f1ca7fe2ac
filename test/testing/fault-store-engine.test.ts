/**
 * An engine on a fault-injecting memory store: reads and commits fail before or after they
 * reach the store (the latter applied: in doubt) and calls are delayed. Every workflow must
 * still complete with a contiguous history and each activity recorded completed, and run,
 * exactly once; the process sees no unhandled rejection.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createEngine, type Engine, type HistoryEvent } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import {
  createFaultInjectingStore,
  type FaultInjectingStore,
  type FaultRates,
} from '../../src/testing/index.js';

const workflowsPath = new URL('../engine/fixtures/fault-workflows.ts', import.meta.url).pathname;
const STEPS = 3;
const WORKFLOWS = 30;
const SEED = Number(process.env.AION_FAULT_SEED ?? 20260101);
const executions = new Map<string, number>();
const activities = {
  work: async (workflowId: string, i: number) => {
    await new Promise((r) => setTimeout(r, 1 + (i % 5)));
    const k = `${workflowId}/${i}`;
    executions.set(k, (executions.get(k) ?? 0) + 1);
    return `${workflowId}:${i}`;
  },
};

const unhandled: unknown[] = [];
const onFault = (err: unknown): void => {
  unhandled.push(err);
};
let engine: Engine | undefined;
let store: FaultInjectingStore | undefined;

beforeAll(() => {
  process.on('unhandledRejection', onFault);
  process.on('uncaughtException', onFault);
});
afterAll(() => {
  process.off('unhandledRejection', onFault);
  process.off('uncaughtException', onFault);
});
afterEach(async () => {
  if (store) store.enabled = false;
  await engine?.shutdown({ timeoutMs: 2000 }).catch(() => undefined);
  await store?.close().catch(() => undefined);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` (a client call may fail while the store fails) until it succeeds. */
async function eventually<T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`, { cause: err });
      await sleep(50);
    }
  }
}

async function allCompleted(e: Engine, ids: readonly string[]): Promise<boolean> {
  for (const id of ids) {
    if ((await e.getHandle(id).describe()).status !== 'COMPLETED') return false;
  }
  return true;
}

const COMMIT: FaultRates = { before: 0.15, after: 0.15, latencyMs: [0, 2] };
const READ: FaultRates = { before: 0.1, after: 0.1, latencyMs: [0, 2] };

it('completes every workflow exactly once while reads and commits fail before and after', async () => {
  store = createFaultInjectingStore(createMemoryStore(), {
    seed: SEED,
    rates: {
      default: { before: 0.02 },
      commit: COMMIT,
      readHistory: READ,
      headSeq: READ,
      getRun: READ,
      getCurrentRun: READ,
    },
    // The engine's start-up fails fast on an unavailable store: faults begin once it runs.
    enabled: false,
  });
  const e = (engine = await createEngine({
    store,
    workflowsPath,
    activities,
    // Few resident runs: most activations rebuild their run from its history (more reads).
    maxResidentRuns: 4,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  }));
  store.enabled = true;
  const ids = Array.from({ length: WORKFLOWS }, (_, i) => `f-${i}`);
  await Promise.all(
    ids.map((id) =>
      eventually(`start ${id}`, () =>
        e.start('faulty', { workflowId: id, args: [id, STEPS], requestId: id }),
      ),
    ),
  );
  await Promise.all(
    ids.map((id) =>
      eventually(`signal ${id}`, () =>
        e.getHandle(id).signalWithRequestId(`go-${id}`, 'go', 'done'),
      ),
    ),
  );
  await eventually(
    'every workflow to complete',
    async () => {
      if (!(await allCompleted(e, ids))) throw new Error('not yet');
    },
    120_000,
  );
  const counters = store.counters;
  store.enabled = false;
  // The faults really happened, of both kinds, on commits and on reads.
  const kinds = new Set(store.faults.map((f) => `${f.method}:${f.kind}`));
  for (const k of ['commit:before', 'commit:after', 'readHistory:before']) {
    expect({ seed: SEED, kinds: [...kinds].sort(), has: k }).toMatchObject({
      has: k,
      kinds: expect.arrayContaining([k]),
    });
  }
  expect(counters.after).toBeGreaterThan(0);
  for (const id of ids) {
    const events: readonly HistoryEvent[] = (await e.getHandle(id).fetchHistory()).events;
    expect(events.map((ev) => ev.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((ev) => ev.type === 'WorkflowStarted')).toHaveLength(1);
    expect(events.filter((ev) => ev.type === 'SignalReceived')).toHaveLength(1);
    expect(events.filter((ev) => ev.type === 'WorkflowCompleted')).toHaveLength(1);
    expect(events.filter((ev) => ev.type === 'ActivityCompleted')).toHaveLength(STEPS + 3);
    for (const step of [...Array(STEPS).keys(), 100, 101, 200]) {
      expect({ seed: SEED, id, step, runs: executions.get(`${id}/${step}`) }).toEqual({
        seed: SEED,
        id,
        step,
        runs: 1,
      });
    }
  }
  expect(unhandled).toEqual([]);
}, 180_000);

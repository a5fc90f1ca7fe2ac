/**
 * An engine on a fault-injecting memory store: reads and commits fail before or after they
 * reach the store (the latter applied: in doubt) and calls are delayed. Every workflow must
 * still complete with a contiguous history and each activity recorded completed, and run,
 * exactly once; the process sees no unhandled rejection.
 */
import { afterEach, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import {
  createFaultInjectingStore,
  type FaultInjectingStore,
  type FaultRates,
} from '../../src/testing/index.js';
import { collectEscapedErrors } from '../support/escaped-errors.js';
import {
  allCompleted,
  eventually,
  expectEachStepOnce,
  faultWorkflowsPath,
  faultWorkload,
  signalFaultRuns,
  startFaultRuns,
} from '../support/fault-workload.js';

const WORKFLOWS = 30;
const SEED = Number(process.env.AION_FAULT_SEED ?? 20260101);
const { activities, executions } = faultWorkload((i) => 1 + (i % 5));
const unhandled = collectEscapedErrors();
let engine: Engine | undefined;
let store: FaultInjectingStore | undefined;

afterEach(async () => {
  if (store) store.enabled = false;
  await engine?.shutdown({ timeoutMs: 2000 }).catch(() => undefined);
  await store?.close().catch(() => undefined);
});

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
    workflowsPath: faultWorkflowsPath,
    activities,
    // Few resident runs: most activations rebuild their run from its history (more reads).
    maxResidentRuns: 4,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  }));
  store.enabled = true;
  const ids = Array.from({ length: WORKFLOWS }, (_, i) => `f-${i}`);
  await startFaultRuns(e, ids);
  await signalFaultRuns(e, ids);
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
  await expectEachStepOnce(e, ids, executions, { seed: SEED });
  expect(unhandled).toEqual([]);
}, 180_000);

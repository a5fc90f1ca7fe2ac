/**
 * The fault-injecting store: reproducible faults from a seed, each fault kind, an applied
 * commit behind an "after" failure, outages, torn-connection bursts, and a faithful
 * pass-through (the store conformance suite on the wrapper with no faults).
 */
import { describe, expect, it } from 'vitest';
import { isAionError, type RunKey } from '../../src/core/index.js';
import { isTransientStoreError } from '../../src/core/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { makeRunKey, signalEvent, startedEvent } from '../../src/store/conformance/fixtures.js';
import {
  createFaultInjectingStore,
  FAULT_STORE_METHODS,
  runStoreConformance,
  type FaultStoreOptions,
  type InjectedFault,
} from '../../src/testing/index.js';

/** Runs `n` reads and commits one after the other; returns the injected faults. */
async function drive(options: FaultStoreOptions, n: number): Promise<readonly InjectedFault[]> {
  const store = createFaultInjectingStore(createMemoryStore(), {
    delay: () => Promise.resolve(),
    ...options,
  });
  const run = makeRunKey();
  await store.inner.append(run, [startedEvent()], 0);
  for (let i = 0; i < n; i++) {
    await store.headSeq(run).catch(() => undefined);
    const head = await store.inner.headSeq(run);
    await store
      .commit([{ run, expectedSeq: head, events: [signalEvent(head + 1, 1000 + i)] }])
      .catch(() => undefined);
  }
  return store.faults;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail('expected the call to fail'),
    (err: unknown) => err,
  );
}

function expectUnavailable(err: unknown, kind: string): void {
  expect(isAionError(err) && err.code).toBe('store_unavailable');
  expect(isAionError(err) && err.retryable).toBe(true);
  expect(isTransientStoreError(err)).toBe(true);
  expect(isAionError(err) && err.details.injected).toBe(kind);
}

const MODERATE: FaultStoreOptions = {
  seed: 42,
  rates: { default: { before: 0.1, after: 0.1, torn: 0.02, latencyMs: [0, 3] } },
};

describe('createFaultInjectingStore', () => {
  it('injects the same faults for the same seed and call sequence, others for another seed', async () => {
    const a = await drive(MODERATE, 200);
    const b = await drive(MODERATE, 200);
    const c = await drive({ ...MODERATE, seed: 43 }, 200);
    expect(a.filter((f) => f.kind !== 'latency').length).toBeGreaterThan(20);
    expect(new Set(a.map((f) => f.kind))).toEqual(new Set(['before', 'after', 'latency', 'torn']));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('fails a call before it reaches the store: nothing is applied', async () => {
    const store = createFaultInjectingStore(createMemoryStore(), {
      seed: 1,
      rates: { commit: { before: 1 } },
    });
    const run = makeRunKey();
    const err = await rejection(store.commit([{ run, expectedSeq: 0, events: [startedEvent()] }]));
    expectUnavailable(err, 'before');
    expect(isAionError(err) && err.details.operation).toBe('commit');
    expect(await store.headSeq(run)).toBe(0); // reads are unaffected: the rate is commit's own
    expect(store.faults).toEqual([{ callIndex: 0, method: 'commit', kind: 'before' }]);
    expect(store.counters).toMatchObject({ calls: 2, reached: 1, before: 1, after: 0 });
  });

  it('fails a commit after it was applied: the caller sees an error, the history has the events', async () => {
    const store = createFaultInjectingStore(createMemoryStore(), {
      seed: 1,
      rates: { commit: { after: 1 } },
    });
    const run: RunKey = makeRunKey();
    const err = await rejection(store.commit([{ run, expectedSeq: 0, events: [startedEvent()] }]));
    expectUnavailable(err, 'after');
    const events = await store.readHistory(run);
    expect(events.map((e) => [e.seq, e.type])).toEqual([[1, 'WorkflowStarted']]);
    // Repeating the commit blindly conflicts: it was applied.
    const [outcome] = await store.inner.commit([{ run, expectedSeq: 0, events: [startedEvent()] }]);
    expect(outcome?.ok).toBe(false);
    expect(store.faults).toEqual([{ callIndex: 0, method: 'commit', kind: 'after' }]);
    expect(store.counters).toMatchObject({ reached: 2, after: 1 });
  });

  it('keeps the inner store\'s own error when an "after" call is refused', async () => {
    const store = createFaultInjectingStore(createMemoryStore(), {
      seed: 1,
      rates: { default: { after: 1 } },
    });
    const err = await rejection(store.append(makeRunKey(), [], 0));
    expect(isAionError(err) && err.code).toBe('invalid_history');
    expect(store.faults).toEqual([]);
  });

  it('delays calls through the injected delay function', async () => {
    const waits: number[] = [];
    const store = createFaultInjectingStore(createMemoryStore(), {
      seed: 7,
      rates: { default: { latencyMs: 25 }, headSeq: { latencyMs: [10, 20] } },
      delay: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    const run = makeRunKey();
    expect(await store.listTimers(run)).toEqual([]);
    for (let i = 0; i < 20; i++) await store.headSeq(run);
    expect(waits[0]).toBe(25);
    expect(waits.slice(1).every((ms) => ms >= 10 && ms <= 20)).toBe(true);
    expect(new Set(waits.slice(1)).size).toBeGreaterThan(1);
    expect(store.faults[0]).toEqual({
      callIndex: 0,
      method: 'listTimers',
      kind: 'latency',
      delayMs: 25,
    });
    expect(store.counters.latency).toBe(21);
  });

  it('tears the connection: the call and the next ones fail, whatever the method', async () => {
    const store = createFaultInjectingStore(createMemoryStore(), {
      seed: 3,
      rates: { headSeq: { torn: 1, tornCalls: 3 } },
    });
    const run = makeRunKey();
    expectUnavailable(await rejection(store.headSeq(run)), 'torn');
    expectUnavailable(await rejection(store.listTimers(run)), 'torn');
    expectUnavailable(await rejection(store.getRun(run)), 'torn');
    expect(await store.listTimers(run)).toEqual([]);
    store.tear(1);
    expectUnavailable(await rejection(store.listTasks(run)), 'torn');
    expect(await store.listTasks(run)).toEqual([]);
    expect(store.faults.map((f) => [f.callIndex, f.method, f.kind])).toEqual([
      [0, 'headSeq', 'torn'],
      [1, 'listTimers', 'torn'],
      [2, 'getRun', 'torn'],
      [4, 'listTasks', 'torn'],
    ]);
  });

  it('fails every call while paused (an outage), and none after resume', async () => {
    const store = createFaultInjectingStore(createMemoryStore(), { seed: 5 });
    const run = makeRunKey();
    store.pause();
    expect(store.paused).toBe(true);
    for (const call of [store.headSeq(run), store.listNamespaces(), store.nextTimerAt()]) {
      expectUnavailable(await rejection(call), 'paused');
    }
    store.resume();
    expect(await store.headSeq(run)).toBe(0);
    expect(store.counters).toMatchObject({ calls: 4, reached: 1, paused: 3 });
  });

  it('fails a delayed call that was on its way when the outage began', async () => {
    let release!: () => void;
    const store = createFaultInjectingStore(createMemoryStore(), {
      seed: 5,
      rates: { default: { latencyMs: 10 } },
      delay: () => new Promise<void>((r) => (release = r)),
    });
    const call = store.headSeq(makeRunKey());
    store.pause();
    release();
    expectUnavailable(await rejection(call), 'paused');
    expect(store.counters.reached).toBe(0);
  });

  it('passes calls through when disabled, and injects again when enabled', async () => {
    const store = createFaultInjectingStore(createMemoryStore(), {
      seed: 9,
      rates: { default: { before: 1, torn: 0 } },
      enabled: false,
    });
    const run = makeRunKey();
    expect(await store.headSeq(run)).toBe(0);
    store.enabled = true;
    expectUnavailable(await rejection(store.headSeq(run)), 'before');
    store.enabled = false;
    expect(await store.headSeq(run)).toBe(0);
  });

  it('passes kind, limits and close through, and refuses bad rates', async () => {
    const inner = createMemoryStore({ limits: { maxHistoryLength: 1234 } });
    const store = createFaultInjectingStore(inner, { seed: 1 });
    expect(store.kind).toBe('memory');
    expect(store.limits.maxHistoryLength).toBe(1234);
    expect(FAULT_STORE_METHODS).toContain('commit');
    expect(FAULT_STORE_METHODS).not.toContain('close');
    await store.close();
    const err = await rejection(store.headSeq(makeRunKey()));
    expect(isAionError(err) && err.details.closed).toBe(true);
    for (const rates of [
      { before: 2 },
      { after: -0.1 },
      { latencyMs: [5, 1] as const },
      { tornCalls: 0 },
    ]) {
      expect(() => createFaultInjectingStore(inner, { seed: 1, rates: { commit: rates } })).toThrow(
        /invalid|must be/,
      );
    }
  });
});

describe('the fault-injecting store without faults', () => {
  runStoreConformance({
    harness: {
      name: 'fault-injecting(memory)',
      unsupported: {
        second: 'the memory store has no second connection',
        reopen: 'the memory store keeps nothing once closed',
      },
      create: (options = {}) => {
        const inner = createMemoryStore(options.limits ? { limits: options.limits } : {});
        const store = createFaultInjectingStore(inner, { seed: 11 });
        return Promise.resolve({ store, dispose: () => store.close() });
      },
    },
    test: (name, fn) => it(name, fn),
  });
});

// An attempt of a task leased before this node's leases broke (a freeze, a partition: other
// nodes may have voided its task leases and run them) starts only once its lease is confirmed
// in the store; one another node holds now never starts here.
import { describe, expect, it } from 'vitest';
import { ActivityExecutor, Context } from '../../activity/internal.js';
import { VirtualClock } from '../../clock/index.js';
import { AionError, DataConverter, type RunKey } from '../../core/index.js';
import { startRun } from '../../store/conformance/fixtures.js';
import { MemoryStore } from '../../store/memory/index.js';
import type { LeaseStanding, NewActivityTask } from '../../store/index.js';
import { engineMetrics, noopMetrics, type Metrics } from '../metrics.js';
import { ActivityService } from './activity-service.js';
import type { ActivityArrival } from './types.js';

const OWNER = 'node-a';

/** A standing the test breaks and restores by hand. */
class HandStanding implements LeaseStanding {
  generation = 1;
  holds = true;
  mark(): number {
    return this.generation;
  }
  heldSince(mark: number): boolean {
    return this.holds && mark === this.generation;
  }
  /** The leases lapsed (the node was frozen past its ttl). */
  lapse(): void {
    this.holds = false;
  }
  /** A renewal held again: a new generation. */
  renew(): void {
    this.generation++;
    this.holds = true;
  }
}

/** Counts `aion_task_lease_checks_total` by outcome. */
function checkCounter(): { metrics: Metrics; checks: Record<string, number> } {
  const checks: Record<string, number> = {};
  const metrics: Metrics = {
    ...noopMetrics,
    counter: (name, help, labels) =>
      name === 'aion_task_lease_checks_total'
        ? {
            inc: (n = 1, l) => {
              const outcome = l?.outcome ?? '';
              checks[outcome] = (checks[outcome] ?? 0) + n;
            },
          }
        : noopMetrics.counter(name, help, labels),
  };
  return { metrics, checks };
}

async function setup(options: { maxConcurrent?: number } = {}) {
  const clock = new VirtualClock();
  const store = new MemoryStore();
  const standing = new HandStanding();
  const { metrics, checks } = checkCounter();
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const executor = new ActivityExecutor({
    clock,
    onHeartbeat: () => undefined,
    logger: () => undefined,
    maxConcurrent: options.maxConcurrent ?? 10,
    activities: {
      work: (id: string) => {
        started.push(id);
        const done = new Promise<string>((resolve) => gates.set(id, () => resolve(`done ${id}`)));
        return Promise.race([done, Context.current().cancelled]);
      },
    },
  });
  const arrivals: ActivityArrival[] = [];
  const service = new ActivityService({
    store,
    clock,
    owner: OWNER,
    namespaces: () => ['default'],
    executor,
    servedQueues: ['q'],
    servedTypes: ['work'],
    converter: new DataConverter(),
    metrics: engineMetrics(metrics),
    retry: {
      clock,
      delay: () => Promise.resolve(),
      random: () => 0.5,
      stopped: () => false,
      deadlineMs: 1000,
    },
    onArrival: (a) => arrivals.push(a),
    standing,
  });
  const { run } = await startRun(store, { at: clock.now() });
  const converter = new DataConverter();
  let seq = 10;
  /** Schedules activity `id` pre-leased to this node, as a run's commit does. */
  const schedule = async (id: string): Promise<NewActivityTask> => {
    const task = service.newTask(
      run,
      {
        activityId: id,
        activityType: 'work',
        scheduledSeq: seq++,
        input: converter.encodeArgs([id]),
        options: { taskQueue: 'q', startToCloseTimeoutMs: 60_000 },
        local: false,
        workflowType: 'wf',
        headers: undefined,
      },
      clock.now(),
    );
    await store.commit([{ run, expectedSeq: 1, events: [], tasks: { enqueue: [task] } }]);
    return task;
  };
  /** Lets the store's answers and the executor's microtasks settle. */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await settle();
  };
  const finish = async (id: string): Promise<void> => {
    gates.get(id)!();
    await settle();
  };
  return {
    ...{ clock, store, standing, checks, started, arrivals, service, run },
    ...{ schedule, settle, advance, finish },
  };
}

/** Another node voids this node's task leases (its shard leases expired) and claims `run`'s tasks. */
async function takeOver(store: MemoryStore, run: RunKey, now: number): Promise<void> {
  await store.expireLeases({ exceptOwner: 'node-b', owners: [OWNER], now });
  const claimed = await store.claimTasks({
    namespace: run.namespace,
    taskQueue: 'q',
    owner: 'node-b',
    now: now + 1,
    leaseMs: 60_000,
    limit: 10,
  });
  expect(claimed.length).toBeGreaterThan(0);
}

describe('ActivityService under a lease standing', () => {
  it('starts at once while the leases hold', async () => {
    const s = await setup();
    s.service.dispatch(await s.schedule('a'));
    await s.settle();
    expect(s.started).toEqual(['a']);
    expect(s.checks).toEqual({});
  });

  it('after a break, starts a task leased before it only once its lease is confirmed', async () => {
    const s = await setup();
    const task = await s.schedule('a');
    s.standing.lapse(); // frozen past the ttl before the dispatch ran
    s.service.dispatch(task);
    await s.settle();
    expect(s.started).toEqual([]); // the store said held, but the leases do not hold yet
    await s.advance(500);
    expect(s.started).toEqual([]);
    s.standing.renew();
    await s.advance(500);
    expect(s.started).toEqual(['a']);
    expect(s.checks).toEqual({ held: 1 });
  });

  it('asks a store that cannot answer again less and less often, then starts the task', async () => {
    const s = await setup();
    const task = await s.schedule('a');
    s.standing.lapse();
    s.standing.renew(); // the leases hold again, but the task was leased before the break
    const asked: number[] = [];
    const extend = s.store.extendTaskLease.bind(s.store);
    let down = true;
    s.store.extendTaskLease = (request) => {
      asked.push(s.clock.now());
      if (down) return Promise.reject(new AionError('store_unavailable', 'the store is down'));
      return extend(request);
    };
    const t0 = s.clock.now();
    s.service.dispatch(task);
    await s.settle();
    for (let i = 0; i < 60; i++) await s.advance(500);
    // Half a second after the first failure, then twice as long after each, at most 8 s.
    expect(asked.map((t) => t - t0)).toEqual([0, 500, 1500, 3500, 7500, 15_500, 23_500]);
    expect(s.started).toEqual([]);
    down = false;
    for (let i = 0; i < 16; i++) await s.advance(500);
    expect(asked.map((t) => t - t0).slice(7)).toEqual([31_500]);
    expect(s.started).toEqual(['a']);
    expect(s.checks).toEqual({ held: 1 });
  });

  it('never starts a task another node took over while this one was cut off', async () => {
    const s = await setup();
    const task = await s.schedule('a');
    s.standing.lapse();
    await takeOver(s.store, s.run, s.clock.now());
    s.standing.renew();
    s.service.dispatch(task);
    await s.advance(5_000);
    expect(s.started).toEqual([]);
    expect(s.checks).toEqual({ moved: 1 });
    expect(s.arrivals).toEqual([]);
  });

  it('withdraws a queued attempt whose slot comes after a break, then confirms it', async () => {
    const s = await setup({ maxConcurrent: 1 });
    s.service.dispatch(await s.schedule('a'));
    s.service.dispatch(await s.schedule('b')); // queued behind a
    await s.settle();
    expect(s.started).toEqual(['a']);
    s.standing.lapse();
    s.standing.renew();
    await s.finish('a');
    expect(s.started).toEqual(['a', 'b']); // withdrawn, confirmed, started
    expect(s.checks).toEqual({ held: 1 });
  });

  it('a queued attempt taken over meanwhile is withdrawn and never starts here', async () => {
    const s = await setup({ maxConcurrent: 1 });
    s.service.dispatch(await s.schedule('a'));
    const b = await s.schedule('b');
    s.service.dispatch(b);
    await s.settle();
    s.standing.lapse();
    await takeOver(s.store, s.run, s.clock.now());
    s.standing.renew();
    await s.finish('a');
    expect(s.started).toEqual(['a']);
    expect(s.checks).toEqual({ moved: 1 });
  });

  it('an attempt still queued when the outcome was recorded from elsewhere never starts', async () => {
    const s = await setup({ maxConcurrent: 1 });
    s.service.dispatch(await s.schedule('a'));
    s.service.dispatch(await s.schedule('b'));
    s.service.dispatch(await s.schedule('c'));
    await s.settle();
    s.service.supersede(`${s.run.runId}/b`); // its completion came from another node's attempt
    s.service.supersede(`${s.run.runId}/a`);
    await s.settle();
    expect(s.started).toEqual(['a', 'c']);
    expect(s.service.isRunning(`${s.run.runId}/a`)).toBe(false);
    expect(s.service.isRunning(`${s.run.runId}/b`)).toBe(false);
    expect(s.arrivals).toEqual([]); // neither records a cancellation
  });

  it('a running attempt whose lease was taken is cancelled and records no outcome', async () => {
    const s = await setup();
    s.service.dispatch(await s.schedule('a'));
    await s.settle();
    expect(s.started).toEqual(['a']);
    s.standing.lapse();
    await takeOver(s.store, s.run, s.clock.now());
    s.standing.renew();
    s.service.recheckLeases();
    await s.settle();
    expect(s.service.isRunning(`${s.run.runId}/a`)).toBe(false);
    expect(s.arrivals).toEqual([]); // no ActivityCancelled for an attempt node-b now runs
  });
});

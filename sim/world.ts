// The simulated world of one seed: a virtual clock, one memory store that outlives every
// engine, and the engines that run on it one after the other. Each engine sees the store
// through a fault-injecting wrapper (seeded per engine) and a fence; a crash kills it at a
// chosen store call and the next engine recovers from the store. The world also keeps the
// evidence the checker reads: acknowledgements and activity side effects, stamped in store
// commit order.
import { SeededIds, VirtualClock, type Clock } from '../src/clock/index.js';
import type { HistoryEvent, RunKey } from '../src/core/index.js';
import { createEngine, type Engine } from '../src/index.js';
import type { BuiltPackage } from '../src/package/index.js';
import type { CommitOutcome, RunCommit, Store } from '../src/store/index.js';
import { createMemoryStore } from '../src/store/memory/index.js';
import { createFaultInjectingStore, type FaultInjectingStore } from '../src/testing/index.js';
import type { Ack, AckLine, EffectLine } from '../torture/journal.js';
import type { Death } from '../torture/supervisor.js';
import { delegate, Fence } from './fence.js';
import { stream, type SimPlan } from './plan.js';

/** One engine of the world's succession. */
export interface Generation {
  readonly n: number;
  readonly engine: Engine;
  readonly fence: Fence;
  readonly faults: FaultInjectingStore;
  /** Rejects when this engine crashes (every call still waiting on it then fails). */
  readonly died: Promise<never>;
}

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export class World {
  readonly plan: SimPlan;
  readonly clock = new VirtualClock();
  /** The store every engine shares (calls on it bypass faults and fences). */
  readonly store: Store;
  readonly acks: AckLine[] = [];
  readonly effects: EffectLine[] = [];
  /** Commit stamp of each recorded activity completion, by `runId/scheduledSeq`. */
  readonly completions = new Map<string, number>();
  /** Successful writes so far: the time scale of effects and completions. */
  stamp = 0;
  /** Store calls, timers and acknowledgements so far: what `settle()` watches move. */
  progress = 0;
  #current: Generation | undefined;
  readonly #all: Generation[] = [];
  #generations = 0;
  #crashWanted = false;

  /** What would have killed an engine's process during this seed. */
  readonly deaths: Death[];

  constructor(plan: SimPlan, deaths: Death[] = []) {
    this.plan = plan;
    this.deaths = deaths;
    this.store = this.#stamping(createMemoryStore());
  }

  get current(): Generation {
    if (!this.#current) throw new Error('no engine is running');
    return this.#current;
  }

  get generations(): number {
    return this.#generations;
  }

  /** Faults injected into every engine's store calls, by kind. */
  get faultCounts(): { calls: number; before: number; after: number; torn: number } {
    const out = { calls: 0, before: 0, after: 0, torn: 0 };
    for (const g of this.#all) {
      const c = g.faults.counters;
      out.calls += c.calls;
      out.before += c.before;
      out.after += c.after;
      out.torn += c.torn;
    }
    return out;
  }

  /** True once the current engine crashed and no successor runs yet. */
  get crashed(): boolean {
    return this.#crashWanted;
  }

  /** A timer on the world's own clock (the workload's and activities' waits). */
  sleep(ms: number, clock: Clock = this.clock): Promise<void> {
    this.progress++;
    return new Promise((resolve) => clock.schedule(this.clock.now() + Math.max(0, ms), resolve));
  }

  ack(line: Ack): void {
    this.progress++;
    this.acks.push({ ...line, pid: this.#current?.n ?? -1, at: this.clock.now() });
  }

  /** Records every successful write's stamp and the stamp of each activity completion. */
  #stamping(inner: Store): Store {
    const stamped = delegate(inner);
    const note = (run: RunKey, events: readonly HistoryEvent[]): void => {
      this.stamp++;
      for (const e of events)
        if (e.type === 'ActivityCompleted')
          this.completions.set(`${run.runId}/${e.scheduledSeq}`, this.stamp);
    };
    stamped.append = async (run, events, expectedSeq) => {
      this.progress++;
      await inner.append(run, events, expectedSeq);
      note(run, events);
    };
    stamped.commit = async (commits: readonly RunCommit[]): Promise<CommitOutcome[]> => {
      this.progress++;
      const outcomes = await inner.commit(commits);
      commits.forEach((c, i) => {
        if (outcomes[i]?.ok) note(c.run, c.events);
      });
      return outcomes;
    };
    return stamped;
  }

  #activities(n: number, clock: Clock): Record<string, (...args: never[]) => Promise<unknown>> {
    return {
      effect: async (key: string, ms: number): Promise<string> => {
        this.effects.push({ key, phase: 'start', pid: n, at: this.stamp });
        // On the engine's fenced clock: an activity of a crashed engine never finishes.
        await this.sleep(ms, clock);
        this.effects.push({ key, phase: 'done', pid: n, at: this.stamp });
        return key;
      },
    };
  }

  /** Starts the next engine on the store (faults off while it starts, as for a real start-up). */
  async startEngine(pkg?: Pick<BuiltPackage, 'archive'>): Promise<Generation> {
    const n = this.#generations++;
    let kill!: (err: Error) => void;
    const died = new Promise<never>((_, reject) => {
      kill = reject;
    });
    died.catch(() => undefined);
    const fence = new Fence(() => {
      this.#crashWanted = true;
      kill(new Error(`engine ${n} crashed`));
    });
    const seed = this.plan.seed;
    const clock = fence.clock(this.clock);
    const faults = createFaultInjectingStore(this.store, {
      seed: (stream(seed, `faults/${n}`)() * 2 ** 32) >>> 0,
      rates: {
        default: this.plan.rates.other,
        commit: this.plan.rates.commit,
        append: this.plan.rates.commit,
        readHistory: this.plan.rates.read,
        headSeq: this.plan.rates.read,
        getRun: this.plan.rates.read,
        getCurrentRun: this.plan.rates.read,
      },
      enabled: false,
      // A slow call on its way when its engine crashes lands late (world clock) or never.
      delay: (ms) => this.sleep(ms, this.plan.lateWrites ? this.clock : clock),
    });
    const engine = await createEngine({
      store: fence.store(faults),
      clock,
      ids: new SeededIds((stream(seed, `ids/${n}`)() * 2 ** 32) >>> 0),
      random: stream(seed, `random/${n}`),
      delay: (ms) => this.sleep(ms, clock),
      workflowRuntime: 'inline',
      identity: `sim-engine-${n}`,
      activities: this.#activities(n, clock),
      maxResidentRuns: this.plan.maxResidentRuns,
      retentionIntervalMs: 2 ** 30,
      keepAlive: false,
      logger: silent,
      workflowLogger: () => undefined,
    });
    const generation: Generation = { n, engine, fence, faults, died };
    if (pkg) await engine.deploy(pkg.archive);
    faults.enabled = true;
    const crash = this.plan.crashes[n];
    if (crash) fence.arm(crash);
    this.#current = generation;
    this.#all.push(generation);
    this.#crashWanted = false;
    return generation;
  }

  /** Abandons the current engine (no shutdown) and lets no more of it happen. */
  crash(): void {
    this.#current?.fence.kill();
  }
}

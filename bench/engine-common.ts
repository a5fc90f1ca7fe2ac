// Shared plumbing of the engine benchmark: stores, engines, activities, RSS sampling and the
// child-process result protocol.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createEngine, createMemoryStore, type Engine, type EngineOptions } from '../src/index.js';
import type { Store } from '../src/store/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/engine.ts', import.meta.url));
export const PG_URL = process.env.AION_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export type StoreKind = 'sqlite' | 'postgres' | 'memory';

export const activities = {
  step: (n: number): Promise<{ n: number; ok: boolean }> => Promise.resolve({ n, ok: true }),
};

/** A fresh store of the given kind and how to dispose of it (close, then delete its data). */
export interface BenchStore {
  readonly store: Store;
  readonly description: string;
  dispose(): Promise<void>;
}

export async function openBenchStore(kind: StoreKind): Promise<BenchStore> {
  switch (kind) {
    case 'memory':
      return { store: createMemoryStore(), description: 'memory', dispose: async () => {} };
    case 'sqlite': {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-engine-'));
      const store = await openSqliteStore({
        path: path.join(dir, 'aion.db'),
        synchronous: 'FULL',
      });
      return {
        store,
        description: 'sqlite synchronous=FULL (temp dir)',
        dispose: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    case 'postgres': {
      const schema = `bench_engine_${randomBytes(6).toString('hex')}`;
      const store = await openPostgresStore({ connectionString: PG_URL, schema });
      return {
        store,
        description: 'postgres (fresh schema, pool 10)',
        dispose: async () => {
          await store.close();
          const admin = new pg.Client({ connectionString: PG_URL });
          await admin.connect();
          try {
            await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await admin.end();
          }
        },
      };
    }
  }
}

/** An engine on `store` serving the bench workflows and activities. */
export function benchEngine(store: Store, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return createEngine({ store, workflowsPath: WORKFLOWS_PATH, activities, ...options });
}

/**
 * Samples the RSS every `intervalMs` and keeps the peak (`process.memoryUsage.rss()`, which
 * skips the heap statistics `process.memoryUsage()` gathers on every call).
 */
export class RssSampler {
  #peak = process.memoryUsage.rss();
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs = 50) {
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.#peak) this.#peak = rss;
    return rss;
  }

  get peak(): number {
    return this.#peak;
  }

  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.#peak;
  }
}

export const MiB = 2 ** 20;

/** Runs `task(i)` for i in [0, n) with at most `window` tasks in flight. */
export async function pool(
  n: number,
  window: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, worker));
}

/** Prefix of the one stdout line a bench child reports its figures on. */
export const RESULT_PREFIX = 'AION_BENCH_RESULT ';

/** Store commit calls seen by {@link instrumentCommits}. */
export interface CommitStats {
  calls: number;
  runCommits: number;
  events: number;
  ms: number;
}

/** Wraps `store.commit` to count group commits (calls, runs and events per call, time inside). */
export function instrumentCommits(store: Store): CommitStats {
  const stats: CommitStats = { calls: 0, runCommits: 0, events: 0, ms: 0 };
  const original = store.commit.bind(store);
  (store as { commit: Store['commit'] }).commit = async (commits, audit) => {
    stats.calls++;
    stats.runCommits += commits.length;
    for (const c of commits) stats.events += c.events.length;
    const t = performance.now();
    try {
      return await original(commits, audit);
    } finally {
      stats.ms += performance.now() - t;
    }
  };
  return stats;
}

/** `node:vm` evaluations counted by {@link instrumentVm} (only with AION_BENCH_DIAG=1). */
export interface VmStats {
  evaluations: number;
  withTimeout: number;
}

/**
 * Diagnostic (AION_BENCH_DIAG=1): counts `vm.Script#runInContext` calls, and those with a
 * `timeout` (each of which starts a watchdog thread). Off by default so that figures measure
 * the product untouched.
 */
export async function instrumentVm(): Promise<VmStats | undefined> {
  if (process.env.AION_BENCH_DIAG !== '1') return undefined;
  const vm = await import('node:vm');
  const stats: VmStats = { evaluations: 0, withTimeout: 0 };
  type RunInContext = (
    this: InstanceType<typeof vm.Script>,
    context: object,
    options?: { timeout?: number },
  ) => unknown;
  const proto = vm.Script.prototype as unknown as { runInContext: RunInContext };
  const original = proto.runInContext;
  proto.runInContext = function (context, options) {
    stats.evaluations++;
    if (options?.timeout !== undefined) stats.withTimeout++;
    return original.call(this, context, options);
  };
  return stats;
}

/** Commit figures relative to a workload of `workflows` workflows and `wallMs` wall time. */
export function commitFigures(
  stats: CommitStats,
  workflows: number,
  wallMs: number,
  vm?: VmStats,
): Record<string, number> {
  const figures: Record<string, number> = {
    storeCommits: stats.calls,
    runCommitsPerStoreCommit: Math.round((stats.runCommits / Math.max(1, stats.calls)) * 10) / 10,
    eventsPerStoreCommit: Math.round((stats.events / Math.max(1, stats.calls)) * 10) / 10,
    storeCommitsPerWorkflow: Math.round((stats.calls / workflows) * 1000) / 1000,
    storeCommitMsShare: Math.round((stats.ms / wallMs) * 1000) / 1000,
  };
  if (vm) {
    figures.vmEvaluationsPerWorkflow = Math.round((vm.evaluations / workflows) * 100) / 100;
    figures.vmWatchdogsPerWorkflow = Math.round((vm.withTimeout / workflows) * 100) / 100;
  }
  return figures;
}

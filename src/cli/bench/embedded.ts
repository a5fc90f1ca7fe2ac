// `aion bench` on an embedded engine: the store the configuration names, but never the user's
// data — a fresh SQLite database in a temporary directory inside the data directory (same
// disk), or a fresh PostgreSQL schema — removed afterwards.
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { stampEvent, type HistoryEvent, type NewEvent } from '../../core/index.js';
import { createEngine, storeLimitsOf, type Engine } from '../../engine/index.js';
import { jsonLogger, payloadCodecsOf, type ServerConfig } from '../../server/index.js';
import type { RunCommit, Store } from '../../store/index.js';
import { BENCH_TASK_QUEUE, benchActivities, benchWorkflowsPath } from './activities.js';
import { benchSuffix, nowMs, percentile, round, type BenchTarget } from './scenarios.js';

/** What the run was measured on. */
export interface StoreInfo {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the bench's own (temporary) database or schema is. */
  readonly location: string;
  /** Durability settings in force, as `name=value`. */
  readonly durability: Readonly<Record<string, string>>;
  /** Payload codecs of the configuration (they cost CPU on every payload). */
  readonly payloadCodecs: readonly string[];
}

/** The same-run floor: what one durable commit of this store costs (this disk, this database). */
export interface CommitFloor {
  readonly singleCommitP50Ms: number;
  readonly singleCommitP99Ms: number;
  readonly commits: number;
}

export interface EmbeddedBench {
  readonly target: BenchTarget;
  readonly store: StoreInfo;
  /** Single-commit latency of the store, in a fresh database file or schema of its own. */
  floor(): Promise<CommitFloor>;
  /** Shuts the engine down and removes the temporary database or schema; never throws. */
  dispose(): Promise<{ removed: boolean; error?: string }>;
}

interface OpenedStore {
  readonly store: Store;
  readonly info: StoreInfo;
  floor(): Promise<CommitFloor>;
  remove(): Promise<void>;
}

const isPostgres = (store: string): boolean => /^postgres(ql)?:\/\//.test(store);

/** Opens a bench engine on a fresh database beside the configured one. */
export async function openEmbeddedBench(config: ServerConfig): Promise<EmbeddedBench> {
  const opened = isPostgres(config.store)
    ? await openPostgresBench(config)
    : await openSqliteBench(config);
  let engine: Engine | undefined;
  try {
    engine = await createEngine({
      store: opened.store,
      workflowsPath: benchWorkflowsPath(),
      activities: benchActivities,
      taskQueue: BENCH_TASK_QUEUE,
      logger: jsonLogger(config.logLevel === 'silent' ? 'silent' : 'error'),
      limits: config.limits,
      payloadCodecs: payloadCodecsOf(config),
      encodeFailureAttributes: config.encodeFailureAttributes,
      ...(config.workflowHeapLimitMb !== undefined
        ? { workflowHeapLimitMb: config.workflowHeapLimitMb }
        : {}),
      ...(config.maxResidentRuns !== undefined ? { maxResidentRuns: config.maxResidentRuns } : {}),
    });
  } catch (err) {
    await opened.store.close().catch(() => undefined);
    await opened.remove().catch(() => undefined);
    throw err;
  }
  const running = engine;
  const target: BenchTarget = {
    window: undefined,
    inProcess: true,
    async start(type, args) {
      const handle = await running.start(type, { args: [...args], taskQueue: BENCH_TASK_QUEUE });
      return {
        result: () => handle.result(),
        historyLength: async () => (await handle.fetchHistory()).events.length,
      };
    },
  };
  let disposed: Promise<{ removed: boolean; error?: string }> | undefined;
  return {
    target,
    store: opened.info,
    floor: () => opened.floor(),
    dispose: () =>
      (disposed ??= (async () => {
        try {
          await running.shutdown().catch(() => undefined);
          await opened.store.close().catch(() => undefined);
          await opened.remove();
          return { removed: true };
        } catch (err) {
          return { removed: false, error: (err as Error).message };
        }
      })()),
  };
}

async function openSqliteBench(config: ServerConfig): Promise<OpenedStore> {
  const { openSqliteStore } = await import('../../store/sqlite/index.js');
  const dataDir = path.resolve(config.dataDir);
  // The data directory may not exist yet: create it, and remove what was created afterwards.
  const createdFrom = mkdirSync(dataDir, { recursive: true });
  const dir = mkdtempSync(path.join(dataDir, `.aion-bench-`));
  const remove = (): Promise<void> => {
    rmSync(dir, { recursive: true, force: true });
    if (createdFrom !== undefined) removeEmptyDirs(dataDir, createdFrom);
    return Promise.resolve();
  };
  const limits = storeLimitsOf(config.limits);
  try {
    const store = await openSqliteStore({ path: path.join(dir, 'aion.db'), limits });
    return {
      store,
      info: {
        kind: 'sqlite',
        location: path.join(dir, 'aion.db'),
        // The store's pragmas (store/sqlite/open.ts), as `aion server` opens its aion.db.
        durability: { journal_mode: 'WAL', synchronous: 'FULL' },
        payloadCodecs: codecNames(config),
      },
      floor: async () => {
        const floorStore = await openSqliteStore({ path: path.join(dir, 'floor.db'), limits });
        try {
          return await commitFloor(floorStore);
        } finally {
          await floorStore.close();
        }
      },
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** Removes `from` and its parents up to `upTo` while they are empty (what the bench created). */
function removeEmptyDirs(from: string, upTo: string): void {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty: something else lives there now
    }
    if (dir === upTo || path.dirname(dir) === dir) return;
  }
}

async function openPostgresBench(config: ServerConfig): Promise<OpenedStore> {
  const { openPostgresStore } = await import('../../store/postgres/index.js');
  const pg = (await import('pg')).default;
  const schema = `aion_bench_${benchSuffix()}`;
  const admin = async <T>(body: (client: InstanceType<typeof pg.Client>) => Promise<T>) => {
    const client = new pg.Client({ connectionString: config.store });
    await client.connect();
    try {
      return await body(client);
    } finally {
      await client.end();
    }
  };
  const durability = await admin(async (client) => {
    const out: Record<string, string> = {};
    for (const name of ['server_version', 'synchronous_commit', 'fsync', 'full_page_writes']) {
      const rows = await client.query<Record<string, string>>(`SHOW ${name}`);
      out[name] = rows.rows[0]?.[name] ?? '?';
    }
    return out;
  });
  const remove = () => admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  try {
    const store = await openPostgresStore({
      connectionString: config.store,
      schema,
      limits: storeLimitsOf(config.limits),
      preparedStatements: config.postgresPreparedStatements,
    });
    return {
      store,
      info: {
        kind: 'postgres',
        location: `${redacted(config.store)} schema ${schema}`,
        durability,
        payloadCodecs: codecNames(config),
      },
      // The floor in a fresh schema of its own (the bench's store owns its schema's leases).
      floor: async () => {
        const floorSchema = `${schema}_floor`;
        try {
          const floorStore = await openPostgresStore({
            connectionString: config.store,
            schema: floorSchema,
            preparedStatements: config.postgresPreparedStatements,
          });
          try {
            return await commitFloor(floorStore);
          } finally {
            await floorStore.close();
          }
        } finally {
          await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${floorSchema}" CASCADE`));
        }
      },
      remove: async () => void (await remove()),
    };
  } catch (err) {
    await remove().catch(() => undefined);
    throw err;
  }
}

/** A connection string without its password. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

function codecNames(config: ServerConfig): string[] {
  return [
    ...(config.payloadCompressionThreshold !== undefined ? ['compression'] : []),
    ...(config.encryptionKeys !== undefined ? ['encryption'] : []),
  ];
}

const FLOOR_RUNS = 20;
const FLOOR_COMMITS = 200;

/** Times single commits of two events (an activity's schedule and completion) on `store`. */
async function commitFloor(store: Store): Promise<CommitFloor> {
  const t0 = Date.now();
  const runs = Array.from({ length: FLOOR_RUNS }, (_, i) => ({
    namespace: 'default',
    workflowId: `floor-${i}`,
    runId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
  }));
  const started: NewEvent = {
    type: 'WorkflowStarted',
    workflowType: 'benchThreeSteps',
    taskQueue: BENCH_TASK_QUEUE,
    args: [],
    version: 'floor',
  };
  await store.commit(
    runs.map((run) => ({ run, expectedSeq: 0, events: [stampEvent(started, 1, t0)] })),
  );
  const heads = runs.map(() => 1);
  const samples: number[] = [];
  for (let n = 0; n < FLOOR_COMMITS; n++) {
    const i = n % FLOOR_RUNS;
    const head = heads[i]!;
    const commit: RunCommit = { run: runs[i]!, expectedSeq: head, events: activityPair(head, t0) };
    const t = nowMs();
    const [outcome] = await store.commit([commit]);
    samples.push(nowMs() - t);
    if (!outcome?.ok) throw new Error('the floor commit was refused');
    heads[i] = head + 2;
  }
  return {
    singleCommitP50Ms: round(percentile(samples, 50), 3),
    singleCommitP99Ms: round(percentile(samples, 99), 3),
    commits: samples.length,
  };
}

function activityPair(head: number, t0: number): HistoryEvent[] {
  const payload = { encoding: 'json/plain', data: '{"n":1,"ok":true}' };
  return [
    stampEvent(
      {
        type: 'ActivityScheduled',
        activityId: String(head + 1),
        activityType: 'benchStep',
        input: [payload],
        options: { taskQueue: BENCH_TASK_QUEUE, startToCloseTimeoutMs: 60_000 },
      },
      head + 1,
      t0 + head,
    ),
    stampEvent(
      { type: 'ActivityCompleted', scheduledSeq: head + 1, result: payload, attempt: 1 },
      head + 2,
      t0 + head,
    ),
  ];
}

/**
 * Every SQL statement of the SQLite store, prepared once per connection. Positional
 * parameters keep binding cheap on the hot path.
 */
import type Database from 'better-sqlite3';
import type { TaskQueueStats } from '../contract/index.js';
import type { RunRow } from '../sql/index.js';
import type { OutboxDbRow, PackageDbRow, RouteDbRow, TaskDbRow, TimerDbRow } from './rows.js';

type Mode = 'rows' | 'pluck' | 'raw';

/** SQL text with phantom types for its parameters and result rows. */
interface Sql<P extends unknown[], R> {
  readonly text: string;
  readonly mode: Mode;
  readonly types?: [P, R];
}

function sql<P extends unknown[], R = unknown>(text: string, mode: Mode = 'rows'): Sql<P, R> {
  return { text, mode };
}
type Key = [namespace: string, runId: string];
type Nullable<T> = T | null;

export interface HeadRow {
  readonly head_seq: number;
  readonly close_time: number | null;
}

export type RunDbRow = RunRow & { readonly row_id: number; start_time: number; head_seq: number };

const RUN_COLUMNS =
  'namespace, run_id, workflow_id, workflow_type, task_queue, status, version, start_time, close_time, head_seq, ' +
  'parent_workflow_id, parent_run_id, continued_from_run_id, search_attributes, memo, stuck_reason, stuck_since';

export type InsertRunParams = [
  namespace: string,
  runId: string,
  workflowId: string,
  workflowType: string,
  taskQueue: string,
  status: string,
  version: string,
  startTime: number,
  closeTime: Nullable<number>,
  headSeq: number,
  parentWorkflowId: Nullable<string>,
  parentRunId: Nullable<string>,
  continuedFromRunId: Nullable<string>,
  searchAttributes: string,
  memo: string,
  stuckReason: Nullable<string>,
  stuckSince: Nullable<number>,
];

export type TaskParams = [
  namespace: string,
  taskId: string,
  workflowId: string,
  runId: string,
  taskQueue: string,
  activityId: string,
  activityType: string,
  scheduledSeq: number,
  input: string,
  options: Nullable<string>,
  attempt: number,
  visibleAt: number,
  leaseOwner: Nullable<string>,
  leaseUntil: Nullable<number>,
  deliveries: number,
];

/** Rows per multi-row event insert: one statement call instead of many on the hot path. */
export const EVENT_CHUNK = 16;

const SQL = {
  // ── runs / history (commit) ──────────────────────────────────────────────────────────
  insertRun: sql<InsertRunParams>(
    `INSERT OR IGNORE INTO runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  selectHead: sql<Key, HeadRow>(
    `SELECT head_seq, close_time FROM runs WHERE namespace = ? AND run_id = ?`,
  ),
  selectOpenRunId: sql<[namespace: string, workflowId: string], string>(
    `SELECT run_id FROM runs WHERE namespace = ? AND workflow_id = ? AND close_time IS NULL`,
    'pluck',
  ),
  updateHead: sql<[headSeq: number, ...Key, expected: number]>(
    `UPDATE runs SET head_seq = ? WHERE namespace = ? AND run_id = ? AND head_seq = ? AND close_time IS NULL`,
  ),
  updateProjection: sql<
    [
      status: string,
      closeTime: Nullable<number>,
      headSeq: number,
      searchAttributes: string,
      memo: string,
      stuckReason: Nullable<string>,
      stuckSince: Nullable<number>,
      version: string,
      ...Key,
    ]
  >(
    `UPDATE runs SET status = ?, close_time = ?, head_seq = ?, search_attributes = ?, memo = ?, stuck_reason = ?, stuck_since = ?, version = ?
       WHERE namespace = ? AND run_id = ?`,
  ),
  /** A close that changes nothing else of the row (see `closingOnly`), seq-checked. */
  closeRun: sql<[status: string, closeTime: number, headSeq: number, ...Key, expected: number]>(
    `UPDATE runs SET status = ?, close_time = ?, head_seq = ?, stuck_reason = NULL, stuck_since = NULL
       WHERE namespace = ? AND run_id = ? AND head_seq = ? AND close_time IS NULL`,
  ),
  setStuck: sql<[reason: Nullable<string>, since: Nullable<number>, ...Key]>(
    `UPDATE runs SET stuck_reason = ?, stuck_since = ? WHERE namespace = ? AND run_id = ? AND close_time IS NULL`,
  ),
  insertEvent: sql<[...Key, seq: number, type: string, recordedAt: number, data: string]>(
    `INSERT INTO events (namespace, run_id, seq, type, recorded_at, data) VALUES (?, ?, ?, ?, ?, ?)`,
  ),
  insertEventChunk: sql<unknown[]>(
    `INSERT INTO events (namespace, run_id, seq, type, recorded_at, data) VALUES ${new Array<string>(
      EVENT_CHUNK,
    )
      .fill('(?, ?, ?, ?, ?, ?)')
      .join(', ')}`,
  ),
  deleteSearchAttrs: sql<Key>(`DELETE FROM run_search_attrs WHERE namespace = ? AND run_id = ?`),
  insertSearchAttr: sql<
    [
      ...Key,
      name: string,
      type: string,
      isToken: number,
      str: Nullable<string>,
      num: Nullable<number>,
    ]
  >(
    `INSERT INTO run_search_attrs (namespace, run_id, name, type, is_token, str_value, num_value) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ),
  // ── side-effect rows ─────────────────────────────────────────────────────────────────
  upsertTimer: sql<
    [
      ...Key,
      timerId: string,
      workflowId: string,
      fireAt: number,
      kind: string,
      data: Nullable<string>,
    ]
  >(
    `INSERT INTO timers (namespace, run_id, timer_id, workflow_id, fire_at, kind, data) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, run_id, timer_id) DO UPDATE SET workflow_id = excluded.workflow_id,
         fire_at = excluded.fire_at, kind = excluded.kind, data = excluded.data, claim_owner = NULL, claim_until = NULL`,
  ),
  deleteTimer: sql<[...Key, timerId: string]>(
    `DELETE FROM timers WHERE namespace = ? AND run_id = ? AND timer_id = ?`,
  ),
  deleteRunTimers: sql<Key>(`DELETE FROM timers WHERE namespace = ? AND run_id = ?`),
  upsertTask: sql<TaskParams>(
    `INSERT INTO tasks (namespace, task_id, workflow_id, run_id, task_queue, activity_id, activity_type, scheduled_seq,
         input, options, attempt, visible_at, lease_owner, lease_until, deliveries)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, task_id) DO UPDATE SET workflow_id = excluded.workflow_id, run_id = excluded.run_id,
         task_queue = excluded.task_queue, activity_id = excluded.activity_id, activity_type = excluded.activity_type,
         scheduled_seq = excluded.scheduled_seq, input = excluded.input, options = excluded.options,
         attempt = excluded.attempt, visible_at = excluded.visible_at, lease_owner = excluded.lease_owner,
         lease_until = excluded.lease_until, deliveries = excluded.deliveries, heartbeat_details = NULL,
         last_heartbeat_at = NULL, last_failure = NULL`,
  ),
  deleteTask: sql<[namespace: string, taskId: string]>(
    `DELETE FROM tasks WHERE namespace = ? AND task_id = ?`,
  ),
  deleteRunTasks: sql<Key>(`DELETE FROM tasks WHERE namespace = ? AND run_id = ?`),
  upsertOutbox: sql<
    [
      namespace: string,
      id: string,
      workflowId: string,
      runId: string,
      kind: string,
      version: Nullable<string>,
      data: string,
      createdAt: number,
    ]
  >(
    `INSERT INTO outbox (namespace, id, workflow_id, run_id, kind, version, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, id) DO UPDATE SET workflow_id = excluded.workflow_id, run_id = excluded.run_id,
         kind = excluded.kind, version = excluded.version, data = excluded.data, created_at = excluded.created_at`,
  ),
  deleteOutbox: sql<[namespace: string, id: string]>(
    `DELETE FROM outbox WHERE namespace = ? AND id = ?`,
  ),
  // ── reads ────────────────────────────────────────────────────────────────────────────
  readEvents: sql<[...Key, fromSeq: number, toSeq: number, limit: number], [number, string]>(
    `SELECT seq, data FROM events WHERE namespace = ? AND run_id = ? AND seq >= ? AND seq <= ? ORDER BY seq LIMIT ?`,
    'raw',
  ),
  headSeq: sql<Key, number>(
    `SELECT head_seq FROM runs WHERE namespace = ? AND run_id = ?`,
    'pluck',
  ),
  getRun: sql<Key, RunDbRow>(`SELECT * FROM runs WHERE namespace = ? AND run_id = ?`),
  openRun: sql<[namespace: string, workflowId: string], RunDbRow>(
    `SELECT * FROM runs WHERE namespace = ? AND workflow_id = ? AND close_time IS NULL`,
  ),
  lastRun: sql<[namespace: string, workflowId: string], RunDbRow>(
    `SELECT * FROM runs WHERE namespace = ? AND workflow_id = ? ORDER BY row_id DESC LIMIT 1`,
  ),
  runChain: sql<[namespace: string, workflowId: string], RunDbRow>(
    `SELECT * FROM runs WHERE namespace = ? AND workflow_id = ? ORDER BY row_id`,
  ),
  listOpenRuns: sql<[afterNamespace: string, afterRunId: string, limit: number], RunDbRow>(
    `SELECT * FROM runs WHERE close_time IS NULL AND (namespace, run_id) > (?, ?) ORDER BY namespace, run_id LIMIT ?`,
  ),
  // ── timers ───────────────────────────────────────────────────────────────────────────
  dueTimers: sql<[now: number, now: number, limit: number], TimerDbRow>(
    `SELECT rowid AS rid, * FROM timers WHERE fire_at <= ? AND (claim_until IS NULL OR claim_until <= ?)
       ORDER BY fire_at, namespace, run_id, timer_id LIMIT ?`,
  ),
  claimTimer: sql<[owner: string, claimUntil: number, rid: number]>(
    `UPDATE timers SET claim_owner = ?, claim_until = ? WHERE rowid = ?`,
  ),
  listTimers: sql<Key, TimerDbRow>(
    `SELECT rowid AS rid, * FROM timers WHERE namespace = ? AND run_id = ? ORDER BY fire_at, timer_id`,
  ),
  // A claimed timer is not claimable again before its claim lapses.
  nextTimerAt: sql<[], number | null>(
    `SELECT MIN(MAX(fire_at, COALESCE(claim_until, fire_at))) FROM timers`,
    'pluck',
  ),
  expireTimerClaims: sql<[now: number, exceptOwner: string, now: number]>(
    `UPDATE timers SET claim_until = ? WHERE claim_owner IS NOT NULL AND claim_owner <> ? AND claim_until > ?`,
  ),
  // ── tasks ────────────────────────────────────────────────────────────────────────────
  claimableTasks: sql<
    [
      namespace: string,
      queue: string,
      now: number,
      now: number,
      types: Nullable<string>,
      types: Nullable<string>,
      limit: number,
    ],
    TaskDbRow
  >(
    `SELECT rowid AS rid, * FROM tasks
       WHERE namespace = ? AND task_queue = ? AND visible_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
         AND (? IS NULL OR activity_type IN (SELECT value FROM json_each(?)))
       ORDER BY visible_at, task_id LIMIT ?`,
  ),
  // A lease owner still set means the previous lease expired without retryTask: a lost attempt.
  claimTask: sql<[owner: string, leaseUntil: number, rid: number]>(
    `UPDATE tasks SET attempt = attempt + (lease_owner IS NOT NULL), lease_owner = ?, lease_until = ?,
         deliveries = deliveries + 1 WHERE rowid = ?`,
  ),
  expireTaskLeases: sql<[now: number, exceptOwner: string, now: number]>(
    `UPDATE tasks SET lease_until = ? WHERE lease_owner IS NOT NULL AND lease_owner <> ? AND lease_until > ?`,
  ),
  extendLease: sql<
    [
      leaseUntil: number,
      details: Nullable<string>,
      now: number,
      namespace: string,
      taskId: string,
      owner: string,
      attempt: Nullable<number>,
    ]
  >(
    `UPDATE tasks SET lease_until = ?, heartbeat_details = COALESCE(?, heartbeat_details), last_heartbeat_at = ?
       WHERE namespace = ? AND task_id = ? AND lease_owner = ? AND attempt = COALESCE(?, attempt)`,
  ),
  retryTask: sql<
    [
      attempt: number,
      visibleAt: number,
      failure: Nullable<string>,
      namespace: string,
      taskId: string,
      owner: string,
    ]
  >(
    `UPDATE tasks SET lease_owner = NULL, lease_until = NULL, attempt = ?, visible_at = ?,
         last_failure = COALESCE(?, last_failure)
       WHERE namespace = ? AND task_id = ? AND lease_owner = ?`,
  ),
  getTask: sql<[namespace: string, taskId: string], TaskDbRow>(
    `SELECT rowid AS rid, * FROM tasks WHERE namespace = ? AND task_id = ?`,
  ),
  listTasks: sql<Key, TaskDbRow>(
    `SELECT rowid AS rid, * FROM tasks WHERE namespace = ? AND run_id = ? ORDER BY scheduled_seq, task_id`,
  ),
  nextTaskAt: sql<[namespace: string, queue: string], number | null>(
    `SELECT MIN(MAX(visible_at, COALESCE(lease_until, visible_at))) FROM tasks WHERE namespace = ? AND task_queue = ?`,
    'pluck',
  ),
  taskQueueStats: sql<[now: number, now2: number, namespace: string], TaskQueueStats>(
    `SELECT task_queue AS taskQueue,
            SUM(CASE WHEN r THEN 0 WHEN v THEN 0 ELSE 1 END) AS backlog,
            SUM(CASE WHEN r THEN 1 ELSE 0 END) AS running,
            SUM(CASE WHEN r THEN 0 WHEN v THEN 1 ELSE 0 END) AS scheduled
       FROM (SELECT task_queue, COALESCE(lease_until > ?, 0) AS r, visible_at > ? AS v
               FROM tasks WHERE namespace = ?)
      GROUP BY task_queue ORDER BY task_queue`,
  ),
  // ── outbox ───────────────────────────────────────────────────────────────────────────
  listOutbox: sql<[afterNamespace: string, afterId: string, limit: number], OutboxDbRow>(
    `SELECT * FROM outbox WHERE (namespace, id) > (?, ?) ORDER BY namespace, id LIMIT ?`,
  ),
  // ── packages ─────────────────────────────────────────────────────────────────────────
  insertPackage: sql<
    [
      namespace: string,
      version: string,
      archive: Uint8Array,
      size: number,
      manifest: string,
      deployedAt: number,
    ]
  >(
    `INSERT OR IGNORE INTO packages (namespace, version, archive, size, manifest, deployed_at) VALUES (?, ?, ?, ?, ?, ?)`,
  ),
  upsertRoute: sql<[namespace: string, workflowType: string, version: string, updatedAt: number]>(
    `INSERT INTO routes (namespace, workflow_type, version, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (namespace, workflow_type) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
  ),
  getPackage: sql<[namespace: string, version: string], PackageDbRow>(
    `SELECT * FROM packages WHERE namespace = ? AND version = ?`,
  ),
  listPackages: sql<[namespace: string], Omit<PackageDbRow, 'archive'>>(
    `SELECT namespace, version, size, manifest, deployed_at FROM packages WHERE namespace = ? ORDER BY deployed_at, version`,
  ),
  packageExists: sql<[namespace: string, version: string], number>(
    `SELECT 1 FROM packages WHERE namespace = ? AND version = ?`,
    'pluck',
  ),
  routeHolder: sql<[namespace: string, version: string], string>(
    `SELECT workflow_type FROM routes WHERE namespace = ? AND version = ? ORDER BY workflow_type LIMIT 1`,
    'pluck',
  ),
  runHolder: sql<[namespace: string, version: string], string>(
    `SELECT run_id FROM runs WHERE namespace = ? AND version = ? AND close_time IS NULL ORDER BY run_id LIMIT 1`,
    'pluck',
  ),
  outboxHolder: sql<[namespace: string, version: string], string>(
    `SELECT id FROM outbox WHERE namespace = ? AND version = ? ORDER BY id LIMIT 1`,
    'pluck',
  ),
  deletePackage: sql<[namespace: string, version: string]>(
    `DELETE FROM packages WHERE namespace = ? AND version = ?`,
  ),
  listRoutes: sql<[namespace: string], RouteDbRow>(
    `SELECT * FROM routes WHERE namespace = ? ORDER BY workflow_type`,
  ),
  // ── retention ────────────────────────────────────────────────────────────────────────
  purgeable: sql<[namespace: string, closedBefore: number, limit: number], string>(
    `SELECT run_id FROM runs WHERE namespace = ? AND close_time IS NOT NULL AND close_time < ?
       ORDER BY close_time, run_id LIMIT ?`,
    'pluck',
  ),
  deleteRunEvents: sql<Key>(`DELETE FROM events WHERE namespace = ? AND run_id = ?`),
  deleteRunOutbox: sql<Key>(`DELETE FROM outbox WHERE namespace = ? AND run_id = ?`),
  deleteRun: sql<Key>(`DELETE FROM runs WHERE namespace = ? AND run_id = ?`),
};

export type Statements = {
  readonly [K in keyof typeof SQL]: (typeof SQL)[K] extends Sql<infer P, infer R>
    ? Database.Statement<P, R>
    : never;
};

export function prepareStatements(db: Database.Database): Statements {
  const prepared: Record<string, Database.Statement<unknown[]>> = {};
  for (const [name, spec] of Object.entries(SQL) as [string, Sql<unknown[], unknown>][]) {
    const statement = db.prepare<unknown[]>(spec.text);
    if (spec.mode === 'pluck') statement.pluck();
    else if (spec.mode === 'raw') statement.raw();
    prepared[name] = statement;
  }
  return prepared as unknown as Statements;
}

/**
 * Schema migrations of the SQLite store. The list only grows: a shipped migration is never
 * edited; a later one may add tables, columns or indexes but must not rewrite existing data
 * in a way older code relies on. Each migration runs in its own transaction together with
 * the `schema_version` bump, so a crash leaves the store at a whole version.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { AionError } from '../../core/index.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      -- One row per run: the visibility row, a projection of the run's events.
      -- row_id (the rowid) grows with every insert and gives the chain/start order.
      CREATE TABLE runs (
        row_id INTEGER PRIMARY KEY,
        namespace TEXT NOT NULL,
        run_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        workflow_type TEXT NOT NULL,
        task_queue TEXT NOT NULL,
        status TEXT NOT NULL,
        version TEXT NOT NULL,
        start_time INTEGER NOT NULL,
        close_time INTEGER,
        head_seq INTEGER NOT NULL,
        parent_workflow_id TEXT,
        parent_run_id TEXT,
        continued_from_run_id TEXT,
        search_attributes TEXT NOT NULL,
        memo TEXT NOT NULL,
        stuck_reason TEXT,
        stuck_since INTEGER,
        UNIQUE (namespace, run_id)
      );
      CREATE UNIQUE INDEX runs_open_workflow ON runs (namespace, workflow_id) WHERE close_time IS NULL;
      CREATE INDEX runs_start ON runs (namespace, start_time, run_id);
      CREATE INDEX runs_close ON runs (namespace, close_time, run_id) WHERE close_time IS NOT NULL;
      CREATE INDEX runs_chain ON runs (namespace, workflow_id, row_id);
      CREATE INDEX runs_open ON runs (namespace, run_id) WHERE close_time IS NULL;

      CREATE TABLE run_search_attrs (
        namespace TEXT NOT NULL,
        run_id TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        is_token INTEGER NOT NULL,
        str_value TEXT,
        num_value REAL
      );
      CREATE INDEX run_search_attrs_str ON run_search_attrs (namespace, name, str_value);
      CREATE INDEX run_search_attrs_num ON run_search_attrs (namespace, name, num_value);
      CREATE INDEX run_search_attrs_run ON run_search_attrs (namespace, run_id);

      -- History: data is encodeEvent(event), opaque to SQL. Ranged reads scan the primary key.
      CREATE TABLE events (
        namespace TEXT NOT NULL,
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (namespace, run_id, seq)
      );

      CREATE TABLE timers (
        namespace TEXT NOT NULL,
        run_id TEXT NOT NULL,
        timer_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        fire_at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        data TEXT,
        claim_owner TEXT,
        claim_until INTEGER,
        PRIMARY KEY (namespace, run_id, timer_id)
      );
      CREATE INDEX timers_due ON timers (fire_at, namespace, run_id, timer_id);

      CREATE TABLE tasks (
        namespace TEXT NOT NULL,
        task_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        task_queue TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        activity_type TEXT NOT NULL,
        scheduled_seq INTEGER NOT NULL,
        input TEXT NOT NULL,
        options TEXT,
        attempt INTEGER NOT NULL,
        visible_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        deliveries INTEGER NOT NULL DEFAULT 0,
        heartbeat_details TEXT,
        last_heartbeat_at INTEGER,
        last_failure TEXT,
        PRIMARY KEY (namespace, task_id)
      );
      CREATE INDEX tasks_queue ON tasks (namespace, task_queue, visible_at, task_id);
      CREATE INDEX tasks_run ON tasks (namespace, run_id);

      CREATE TABLE outbox (
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        version TEXT,
        data TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (namespace, id)
      );
      CREATE INDEX outbox_run ON outbox (namespace, run_id);
      CREATE INDEX outbox_version ON outbox (namespace, version) WHERE version IS NOT NULL;

      CREATE TABLE packages (
        namespace TEXT NOT NULL,
        version TEXT NOT NULL,
        archive BLOB NOT NULL,
        size INTEGER NOT NULL,
        manifest TEXT NOT NULL,
        deployed_at INTEGER NOT NULL,
        PRIMARY KEY (namespace, version)
      );

      CREATE TABLE routes (
        namespace TEXT NOT NULL,
        workflow_type TEXT NOT NULL,
        version TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (namespace, workflow_type)
      );
      CREATE INDEX routes_version ON routes (namespace, version);
    `,
  },
  {
    version: 2,
    name: 'search attribute schema',
    sql: `
      -- Custom search attributes registered per namespace (the query language's schema).
      CREATE TABLE search_attribute_defs (
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        PRIMARY KEY (namespace, name)
      );
    `,
  },
  {
    version: 3,
    name: 'namespace registry',
    sql: `
      -- Registered namespaces and their settings. retention_ms NULL keeps closed runs forever.
      -- The primary key's BINARY collation lists names in code-point order.
      CREATE TABLE namespaces (
        name TEXT PRIMARY KEY,
        description TEXT NOT NULL,
        retention_ms INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'owner heartbeat',
    sql: `
      -- The engine that owns the file (see ownership.ts): one row while an engine has it open
      -- exclusively, refreshed every few seconds, deleted on a clean close.
      CREATE TABLE owner (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        owner_id TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        machine TEXT NOT NULL,
        pid_namespace TEXT NOT NULL,
        lock_file TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'api keys, audit trail, task-token secrets',
    sql: `
      -- API keys: only the SHA-256 of a token is kept. A revoked key keeps its row (revoked_at
      -- set), so its id is never reused and it never becomes live again. namespaces is a JSON
      -- list, NULL for every namespace.
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        namespaces TEXT,
        hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        last_used_at INTEGER
      );
      -- The audit trail: every mutating call, allowed or refused, in append order.
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        subject TEXT NOT NULL,
        action TEXT NOT NULL,
        namespace TEXT,
        target TEXT,
        outcome TEXT NOT NULL,
        code TEXT,
        count INTEGER NOT NULL
      );
      CREATE INDEX audit_log_time ON audit_log (time);
      -- Secrets that sign task tokens: the newest live one signs, every live one verifies.
      CREATE TABLE token_secrets (
        id TEXT PRIMARY KEY,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        retired_at INTEGER
      );
    `,
  },
  {
    version: 6,
    name: 'schedules',
    sql: `
      -- One row per schedule. definition, state and search_attrs are JSON the store keeps as
      -- text; version is 1 when created and +1 on every write (the optimistic check).
      CREATE TABLE schedules (
        namespace TEXT NOT NULL,
        schedule_id TEXT NOT NULL,
        definition TEXT NOT NULL,
        state TEXT NOT NULL,
        search_attrs TEXT NOT NULL,
        next_fire_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (namespace, schedule_id)
      );
      CREATE INDEX schedules_next_fire ON schedules (namespace, next_fire_at);
      -- A schedule's recent fires; the key makes recording a fire idempotent. The schedule's
      -- timer lives in timers under run id 'schedule:<id>'.
      CREATE TABLE schedule_fires (
        namespace TEXT NOT NULL,
        schedule_id TEXT NOT NULL,
        nominal_at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        actual_at INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        workflow_id TEXT,
        run_id TEXT,
        reason TEXT,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (namespace, schedule_id, nominal_at, kind)
      );
    `,
  },
  {
    version: 7,
    name: 'batch jobs',
    sql: `
      -- One row per batch job. operation and failures are JSON the store keeps as text;
      -- owner and lease_until are the runner's lease, renewed with every progress write.
      CREATE TABLE batch_jobs (
        namespace TEXT NOT NULL,
        job_id TEXT NOT NULL,
        query TEXT NOT NULL,
        operation TEXT NOT NULL,
        subject TEXT NOT NULL,
        state TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        closed_at INTEGER,
        matched INTEGER NOT NULL,
        succeeded INTEGER NOT NULL,
        skipped INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        failures TEXT NOT NULL,
        error TEXT,
        stop_requested INTEGER NOT NULL,
        owner TEXT NOT NULL,
        lease_until INTEGER NOT NULL,
        PRIMARY KEY (namespace, job_id)
      );
      CREATE INDEX batch_jobs_started ON batch_jobs (namespace, started_at, job_id);
      CREATE INDEX batch_jobs_running ON batch_jobs (lease_until) WHERE state = 'RUNNING';
      CREATE INDEX batch_jobs_closed ON batch_jobs (closed_at) WHERE closed_at IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'stuck runs index',
    sql: `
      -- The stuck runs of a namespace (re-pinned at every deploy, also the engine's own at
      -- start-up): found without scanning every run of the namespace.
      CREATE INDEX runs_stuck ON runs (namespace, start_time, run_id) WHERE stuck_reason IS NOT NULL;
    `,
  },
];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

function readVersion(db: BetterSqlite3.Database): number {
  const value = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get() as
    string | undefined;
  return value === undefined ? 0 : Number(value);
}

/**
 * Brings the store at `db` to {@link SCHEMA_VERSION}. Refuses (`store_schema_too_new`) a store
 * written by newer code: reading it could misinterpret tables this code does not know.
 */
export function migrate(
  db: BetterSqlite3.Database,
  location: string,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const tooNew = (found: number): AionError =>
    new AionError(
      'store_schema_too_new',
      `store ${location} has schema version ${found}, but this Aion understands versions up to ${latest}; upgrade Aion to open it (the store was not modified)`,
      { path: location, found, supported: latest },
    );
  const current = readVersion(db);
  if (current > latest) throw tooNew(current);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      // Re-read inside the write transaction: another connection may have migrated meanwhile.
      const now = readVersion(db);
      if (now > latest) throw tooNew(now);
      if (now >= migration.version) return;
      db.exec(migration.sql);
      db.prepare(
        `INSERT INTO meta (key, value) VALUES ('schema_version', ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ).run(String(migration.version));
    }).immediate();
  }
}

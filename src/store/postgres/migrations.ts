import { AionError } from '../../core/index.js';
import { DEFAULT_SHARD_COUNT } from '../shared/index.js';
import type { PgDriver, Queryable } from './driver.js';
import { clusterDataPlane } from './migration-7.js';
import { batchJobsTable } from './migration-8.js';

/**
 * One schema migration. `up` receives the quoted schema name and returns the statements to run,
 * in order, inside one transaction. Migrations are append-only: never edit a shipped one; add a
 * new one (new tables and indexes can be added without touching data).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(schema: string): readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    // eslint-disable-next-line max-lines-per-function -- the shipped initial schema, one statement per table and index; migrations are never edited
    up: (s) => [
      // Visibility row of each run, a projection of its events (see shared/projection.ts).
      // Column names are relied upon by the shared SQL visibility compiler.
      `CREATE TABLE ${s}.runs (
        namespace TEXT NOT NULL,
        run_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        workflow_type TEXT NOT NULL,
        task_queue TEXT NOT NULL,
        status TEXT NOT NULL,
        version TEXT NOT NULL,
        start_time BIGINT NOT NULL,
        close_time BIGINT,
        head_seq BIGINT NOT NULL,
        parent_workflow_id TEXT,
        parent_run_id TEXT,
        continued_from_run_id TEXT,
        search_attributes TEXT NOT NULL,
        memo TEXT NOT NULL,
        stuck_reason TEXT,
        stuck_since BIGINT,
        row_id BIGINT GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (namespace, run_id)
      ) WITH (fillfactor = 80)`,
      // fillfactor < 100 leaves room on each page so the frequent head_seq/status updates are
      // HOT updates (no index maintenance: none of those columns is indexed).
      // At most one open run per workflow id: the arbiter of concurrent starts.
      `CREATE UNIQUE INDEX runs_open_workflow_id ON ${s}.runs (namespace, workflow_id) WHERE close_time IS NULL`,
      `CREATE INDEX runs_start_time ON ${s}.runs (namespace, start_time, run_id)`,
      `CREATE INDEX runs_close_time ON ${s}.runs (namespace, close_time, run_id)`,
      `CREATE INDEX runs_chain ON ${s}.runs (namespace, workflow_id, row_id)`,
      // Recovery pages open runs in (namespace, runId) code point order.
      `CREATE INDEX runs_open ON ${s}.runs (namespace COLLATE "C", run_id COLLATE "C") WHERE close_time IS NULL`,
      `CREATE TABLE ${s}.run_search_attrs (
        namespace TEXT NOT NULL,
        run_id TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        is_token SMALLINT NOT NULL,
        str_value TEXT,
        num_value DOUBLE PRECISION
      )`,
      `CREATE INDEX run_search_attrs_str ON ${s}.run_search_attrs (namespace, name, str_value)`,
      `CREATE INDEX run_search_attrs_num ON ${s}.run_search_attrs (namespace, name, num_value)`,
      `CREATE INDEX run_search_attrs_run ON ${s}.run_search_attrs (namespace, run_id)`,
      `CREATE TABLE ${s}.events (
        namespace TEXT NOT NULL,
        run_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        type TEXT NOT NULL,
        recorded_at BIGINT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (namespace, run_id, seq)
      )`,
      `CREATE TABLE ${s}.timers (
        namespace TEXT NOT NULL,
        run_id TEXT NOT NULL,
        timer_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        fire_at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT,
        claim_owner TEXT,
        claim_until BIGINT,
        PRIMARY KEY (namespace, run_id, timer_id)
      )`,
      `CREATE INDEX timers_fire_at ON ${s}.timers (fire_at)`,
      `CREATE TABLE ${s}.tasks (
        namespace TEXT NOT NULL,
        task_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        task_queue TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        activity_type TEXT NOT NULL,
        scheduled_seq BIGINT NOT NULL,
        input TEXT NOT NULL,
        options TEXT,
        attempt INTEGER NOT NULL,
        visible_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        deliveries INTEGER NOT NULL DEFAULT 0,
        heartbeat_details TEXT,
        last_heartbeat_at BIGINT,
        last_failure TEXT,
        PRIMARY KEY (namespace, task_id)
      )`,
      `CREATE INDEX tasks_queue ON ${s}.tasks (namespace, task_queue, visible_at)`,
      `CREATE INDEX tasks_run ON ${s}.tasks (namespace, run_id)`,
      `CREATE TABLE ${s}.outbox (
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        version TEXT,
        data TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (namespace, id)
      )`,
      `CREATE INDEX outbox_order ON ${s}.outbox (namespace COLLATE "C", id COLLATE "C")`,
      `CREATE INDEX outbox_version ON ${s}.outbox (namespace, version) WHERE version IS NOT NULL`,
      `CREATE TABLE ${s}.packages (
        namespace TEXT NOT NULL,
        version TEXT NOT NULL,
        archive BYTEA NOT NULL,
        manifest TEXT NOT NULL,
        deployed_at BIGINT NOT NULL,
        PRIMARY KEY (namespace, version)
      )`,
      `CREATE TABLE ${s}.routes (
        namespace TEXT NOT NULL,
        workflow_type TEXT NOT NULL,
        version TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (namespace, workflow_type)
      )`,
      `CREATE INDEX routes_version ON ${s}.routes (namespace, version)`,
    ],
  },
  {
    version: 2,
    name: 'search attribute schema',
    up: (s) => [
      // Custom search attributes registered per namespace (the query language's schema).
      `CREATE TABLE ${s}.search_attribute_defs (
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        PRIMARY KEY (namespace, name)
      )`,
    ],
  },
  {
    version: 3,
    name: 'namespace registry',
    up: (s) => [
      // Registered namespaces and their settings. retention_ms NULL keeps closed runs forever.
      // COLLATE "C" so the primary key lists names in code-point order whatever the database's
      // default collation.
      `CREATE TABLE ${s}.namespaces (
        name TEXT COLLATE "C" PRIMARY KEY,
        description TEXT NOT NULL,
        retention_ms BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    name: 'api keys, audit trail, task-token secrets',
    up: (s) => [
      // API keys: only the SHA-256 of a token is kept. A revoked key keeps its row (revoked_at
      // set), so its id is never reused and it never becomes live again. namespaces NULL: every
      // namespace.
      `CREATE TABLE ${s}.api_keys (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        namespaces TEXT[],
        hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT,
        revoked_at BIGINT,
        last_used_at BIGINT
      )`,
      // The audit trail: every mutating call, allowed or refused, in append order.
      `CREATE TABLE ${s}.audit_log (
        seq BIGSERIAL PRIMARY KEY,
        time BIGINT NOT NULL,
        subject TEXT NOT NULL,
        action TEXT NOT NULL,
        namespace TEXT,
        target TEXT,
        outcome TEXT NOT NULL,
        code TEXT,
        count INTEGER NOT NULL
      )`,
      `CREATE INDEX audit_log_time ON ${s}.audit_log (time)`,
      // Secrets that sign task tokens: the newest live one signs, every live one verifies.
      `CREATE TABLE ${s}.token_secrets (
        id TEXT COLLATE "C" PRIMARY KEY,
        secret TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        retired_at BIGINT
      )`,
    ],
  },
  {
    version: 5,
    name: 'schedules',
    up: (s) => [
      // One row per schedule. definition, state and search_attrs are JSON kept as text (read
      // back exactly as written); version is 1 when created and +1 on every write.
      `CREATE TABLE ${s}.schedules (
        namespace TEXT COLLATE "C" NOT NULL,
        schedule_id TEXT COLLATE "C" NOT NULL,
        definition TEXT NOT NULL,
        state TEXT NOT NULL,
        search_attrs TEXT NOT NULL,
        next_fire_at BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        version BIGINT NOT NULL,
        PRIMARY KEY (namespace, schedule_id)
      )`,
      `CREATE INDEX schedules_next_fire ON ${s}.schedules (namespace, next_fire_at)`,
      // A schedule's recent fires; the key makes recording a fire idempotent. The schedule's
      // timer lives in timers under run id 'schedule:<id>'.
      `CREATE TABLE ${s}.schedule_fires (
        namespace TEXT COLLATE "C" NOT NULL,
        schedule_id TEXT COLLATE "C" NOT NULL,
        nominal_at BIGINT NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        actual_at BIGINT NOT NULL,
        outcome TEXT NOT NULL,
        workflow_id TEXT,
        run_id TEXT,
        reason TEXT,
        recorded_at BIGINT NOT NULL,
        PRIMARY KEY (namespace, schedule_id, nominal_at, kind)
      )`,
    ],
  },
  {
    version: 6,
    name: 'nodes and shard leases',
    up: (s) => [
      // The fixed shard count of this store (see shared/shards.ts), chosen at creation.
      `CREATE TABLE ${s}.cluster (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        shard_count INTEGER NOT NULL CHECK (shard_count > 0),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`,
      `INSERT INTO ${s}.cluster (slot, shard_count) VALUES (1, ${DEFAULT_SHARD_COUNT})`,
      // One row per running node, refreshed by its heartbeat; deleted on a clean leave.
      `CREATE TABLE ${s}.nodes (
        node_id TEXT COLLATE "C" PRIMARY KEY,
        mode TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        machine TEXT NOT NULL,
        pid_namespace TEXT NOT NULL,
        -- application_name of the node's connections (when its store owns its pool)
        app_name TEXT,
        started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`,
      // One lease per shard. epoch grows by one at every change of owner; every commit of
      // the shard's runs checks it under FOR SHARE (the fence).
      `CREATE TABLE ${s}.shard_leases (
        shard INTEGER PRIMARY KEY,
        owner TEXT COLLATE "C",
        epoch BIGINT NOT NULL DEFAULT 0,
        lease_until TIMESTAMPTZ
      )`,
      `INSERT INTO ${s}.shard_leases (shard)
         SELECT g FROM generate_series(0, ${DEFAULT_SHARD_COUNT} - 1) AS g`,
    ],
  },
  clusterDataPlane,
  batchJobsTable,
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the schema up to {@link LATEST_SCHEMA_VERSION}. Each migration runs in its own
 * transaction holding a transaction-scoped advisory lock keyed by the schema name, so
 * concurrent openers (several nodes starting at once) serialise: the first applies, the
 * others find the version already recorded. A schema written by newer code is refused.
 */
export async function migrate(
  driver: PgDriver,
  schema: string,
  quoted: string,
  migrations = MIGRATIONS,
): Promise<number> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  for (;;) {
    const done = await driver.tx('schema migration', async (q) => {
      await lockAndEnsureMeta(q, schema, quoted);
      const current = await currentVersion(q, quoted);
      if (current > latest) {
        throw new AionError(
          'store_schema_too_new',
          `PostgreSQL schema ${JSON.stringify(schema)} is at version ${current} but this Aion knows versions up to ${latest}; upgrade Aion to open it`,
          { schema, version: current, supported: latest },
        );
      }
      const next = migrations.find((m) => m.version > current);
      if (next === undefined) return true;
      for (const statement of next.up(quoted)) await q.query(statement);
      await q.query(`INSERT INTO ${quoted}.schema_version (version, name) VALUES ($1, $2)`, [
        next.version,
        next.name,
      ]);
      return false;
    });
    if (done) return latest;
  }
}

async function lockAndEnsureMeta(q: Queryable, schema: string, quoted: string): Promise<void> {
  // Taken before CREATE SCHEMA IF NOT EXISTS, which itself races (duplicate key on pg_namespace).
  await q.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `aion.migrate:${schema}`,
  ]);
  await q.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
  await q.query(
    `CREATE TABLE IF NOT EXISTS ${quoted}.schema_version (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`,
  );
}

async function currentVersion(q: Queryable, quoted: string): Promise<number> {
  const rows = await q.query(
    `SELECT COALESCE(MAX(version), 0)::int AS version FROM ${quoted}.schema_version`,
  );
  return Number(rows[0]?.version ?? 0);
}

// PostgreSQL migration 7: the cluster data plane. Every run, timer, task and outbox row carries
// its shard (a stored generated column), so a node lists and claims only its own shards'
// rows, and the inbox carries calls for a run to the node that owns its shard.
// See docs/adr/0014-cluster-shards-and-routing.md.

/**
 * `aion_shard(namespace, workflow_id)`: exactly `shardOf(namespace, workflowId, shardCount)`
 * of src/store/shared/shards.ts (FNV-1a 32 bit over the UTF-8 bytes of namespace, NUL,
 * workflow id). The store's shard count never changes, so it is read once here and written
 * into the body as a constant: the function stays IMMUTABLE, as a generated column requires.
 * Bigint arithmetic: h < 2^32 and the prime < 2^25, so the product fits. `%%` is format()'s
 * escape of the modulo operator.
 */
function shardFunction(s: string): string {
  return `DO $do$
    DECLARE n INTEGER;
    BEGIN
      SELECT shard_count INTO STRICT n FROM ${s}.cluster;
      EXECUTE format($f$
        CREATE FUNCTION ${s}.aion_shard(namespace TEXT, workflow_id TEXT) RETURNS INTEGER
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
        DECLARE
          b BYTEA := convert_to(namespace, 'UTF8') || decode('00', 'hex') || convert_to(workflow_id, 'UTF8');
          h BIGINT := 2166136261;
        BEGIN
          FOR i IN 0 .. length(b) - 1 LOOP
            h := ((h # get_byte(b, i)) * 16777619) %% 4294967296;
          END LOOP;
          RETURN (h %% %s)::INTEGER;
        END
        $fn$
      $f$, n);
    END
    $do$`;
}

/**
 * The shard column of a table: computed on insert and whenever namespace or workflow id
 * change, never on the frequent updates of other columns (head_seq, claims, leases). Adding
 * it rewrites the table once, filling the rows already there.
 */
function shardColumn(s: string, table: string): string {
  return `ALTER TABLE ${s}.${table}
    ADD COLUMN shard INTEGER GENERATED ALWAYS AS (${s}.aion_shard(namespace, workflow_id)) STORED`;
}

export const clusterDataPlane = {
  version: 7,
  name: 'shard columns and inbox',
  up: (s: string): readonly string[] => [
    shardFunction(s),
    ...['runs', 'timers', 'tasks', 'outbox'].map((table) => shardColumn(s, table)),
    // The filtered forms of listOpenRuns, claimDueTimers/nextTimerAt and listOutbox: the same
    // orders as the unfiltered indexes, led by the shard.
    `CREATE INDEX runs_open_shard ON ${s}.runs (shard, namespace COLLATE "C", run_id COLLATE "C")
       WHERE close_time IS NULL`,
    `CREATE INDEX timers_shard_fire_at ON ${s}.timers (shard, fire_at)`,
    `CREATE INDEX outbox_shard_order ON ${s}.outbox (shard, namespace COLLATE "C", id COLLATE "C")`,
    // Messages for the owner of a shard (see src/store/contract/inbox.ts). done_at NULL:
    // pending; outcome is written with done_at.
    `CREATE TABLE ${s}.inbox (
      id BIGSERIAL PRIMARY KEY,
      shard INTEGER NOT NULL,
      kind TEXT NOT NULL,
      body JSONB NOT NULL,
      sent_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      done_at TIMESTAMPTZ,
      outcome JSONB
    )`,
    `CREATE INDEX inbox_pending ON ${s}.inbox (shard, id) WHERE done_at IS NULL`,
    `CREATE INDEX inbox_done ON ${s}.inbox (done_at) WHERE done_at IS NOT NULL`,
  ],
};

/** Labels attached to a metric sample. */
export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(value?: number, labels?: Labels): void;
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
}
export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

/**
 * The engine's metrics sink: counters, gauges, histograms. No-op by default; the server
 * exposes an implementation as Prometheus. Names are `aion_*` snake_case.
 */
export interface Metrics {
  /**
   * `labelNames`, when given, are the metric's label names: an implementation registers the
   * metric at once (exported from the start, before its first sample). Without them it may
   * wait for the first sample to learn them.
   */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  histogram(
    name: string,
    help: string,
    buckets?: readonly number[],
    labelNames?: readonly string[],
  ): Histogram;
}

const NOOP = { inc: () => undefined, set: () => undefined, observe: () => undefined };

export const noopMetrics: Metrics = {
  counter: () => NOOP,
  gauge: () => NOOP,
  histogram: () => NOOP,
};

/** Whether the store answers, and its failures (see store-health.ts). */
function storeMetrics(m: Metrics) {
  return {
    storeAvailable: m.gauge(
      'aion_store_available',
      '1 while the store answers, 0 while its operations fail with transient errors',
      [],
    ),
    storeErrors: m.counter(
      'aion_store_errors_total',
      'Failed store operations, by error code (SQLSTATE, SQLite or socket code, else Aion code)',
      ['code'],
    ),
  };
}

/** The shard leases of a shared (PostgreSQL) store; see assembly/node-claim.ts. */
export function leaseMetrics(m: Metrics) {
  return {
    leasesHeld: m.gauge(
      'aion_shard_leases_held',
      'Shard leases this node holds on a shared (PostgreSQL) store; 0 on SQLite and memory',
      [],
    ),
    leaseRenewals: m.counter(
      'aion_lease_renewals_total',
      'Renewals of the shard leases, by outcome (ok, failed: the database did not answer)',
      ['outcome'],
    ),
    leaseLosses: m.counter(
      'aion_lease_losses_total',
      'Times this node found its shard leases taken over by another node (it stops writing)',
      [],
    ),
    shardHandoffs: m.counter(
      'aion_shard_handoffs_total',
      'Shards this cluster node handed to another node (rebalancing on join, drain, stop)',
      [],
    ),
    shardAdoptions: m.counter(
      'aion_shard_adoptions_total',
      'Shards this cluster node took, by from: free (released or new) or dead (a node that stopped renewing)',
      ['from'],
    ),
    taskLeaseChecks: m.counter(
      'aion_task_lease_checks_total',
      'Activity task leases checked in the store before an attempt started, because this node\u2019s shard leases had lapsed since the task was leased (other nodes may have voided it), by outcome: held (started here), moved (left to its holder)',
      ['outcome'],
    ),
    shardRecoverySeconds: m.histogram(
      'aion_shard_recovery_seconds',
      'Time to recover shards a cluster node took (runs rebuilt, timers re-armed, outbox repaired)',
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      [],
    ),
    inboxInFlight: m.gauge(
      'aion_inbox_in_flight',
      'Inbox messages from other cluster nodes this node is carrying out',
      [],
    ),
  };
}

/** The metrics the engine records, created once per engine with their label names. */
export function engineMetrics(m: Metrics) {
  return {
    workflowsStarted: m.counter('aion_workflows_started_total', 'Workflow runs started', [
      'workflow_type',
    ]),
    workflowsClosed: m.counter('aion_workflows_closed_total', 'Workflow runs closed, by status', [
      'status',
      'workflow_type',
    ]),
    activations: m.counter('aion_activations_total', 'Workflow activations executed', []),
    activationBatch: m.histogram(
      'aion_activation_batch_size',
      'Runs activated per sandbox evaluation',
      [1, 2, 5, 10, 20, 50, 100, 200, 500],
      [],
    ),
    taskFailures: m.counter(
      'aion_workflow_task_failures_total',
      'Workflow task crashes, by cause',
      ['cause'],
    ),
    historyWarnings: m.counter(
      'aion_history_limit_warnings_total',
      'Runs whose history passed the warning fraction of its limit (once per run), by limit',
      ['workflow_type', 'limit'],
    ),
    historyTerminations: m.counter(
      'aion_history_limit_terminations_total',
      'Runs terminated at their history limit (reason history_too_large), by limit',
      ['workflow_type', 'limit'],
    ),
    stuckRuns: m.counter(
      'aion_workflow_runs_parked_total',
      'Runs parked as stuck after repeated task crashes',
      ['workflow_type'],
    ),
    threadRestarts: m.counter(
      'aion_workflow_thread_restarts_total',
      'Workflow thread replacements, by reason (deadlock, memory, crash)',
      ['reason'],
    ),
    commitBatch: m.histogram(
      'aion_commit_batch_size',
      'Run commits per store transaction',
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      [],
    ),
    commitSeconds: m.histogram(
      'aion_commit_seconds',
      'Store commit latency',
      [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1],
      [],
    ),
    replaySeconds: m.histogram(
      'aion_replay_seconds',
      'Time to rebuild a run by replay',
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      [],
    ),
    residentRuns: m.gauge('aion_resident_runs', 'Runs held in memory', []),
    activityAttempts: m.counter('aion_activity_attempts_total', 'Activity attempts started', [
      'activity_type',
    ]),
    activitySeconds: m.histogram(
      'aion_activity_seconds',
      'Activity attempt duration',
      [0.001, 0.01, 0.1, 0.5, 1, 5, 30, 60, 300],
      ['activity_type'],
    ),
    ...storeMetrics(m),
    ...leaseMetrics(m),
    activityOutcomes: m.counter(
      'aion_activity_outcomes_total',
      'Activity final outcomes, by outcome',
      ['outcome'],
    ),
  };
}

export type EngineMetrics = ReturnType<typeof engineMetrics>;

// The outbox part of the store contract: messages a commit records for delivery after it
// (child starts, signals, cancels, successors), listed for recovery and deleted once settled.

/** A message the engine must deliver after commit (child start, signal, cancel, successor). */
export interface OutboxRow {
  readonly namespace: string;
  /** Unique within the namespace. */
  readonly id: string;
  /** The run that recorded the intent. */
  readonly workflowId: string;
  readonly runId: string;
  readonly kind: string;
  /** Package version the message pins (e.g. a recorded child start), if any. */
  readonly version?: string;
  /** Opaque engine data. */
  readonly data: string;
  readonly createdAt: number;
}

export interface OutboxStore {
  /** Outbox rows of every namespace ordered by (namespace, id); page with `after`. */
  listOutbox(request: {
    readonly after?: { readonly namespace: string; readonly id: string };
    readonly limit: number;
    /** Only rows written by runs of these shards; every row when absent. */
    readonly shards?: readonly number[];
  }): Promise<OutboxRow[]>;
  deleteOutbox(namespace: string, ids: readonly string[]): Promise<void>;
}

// The inbox part of the store contract: messages for the node that owns a shard. A cluster
// node that receives a call for a run it does not own writes it here; the shard's owner takes
// it, carries it out and writes the outcome, which the sender waits for. Only stores several
// processes can share (PostgreSQL) have it. See docs/adr/0014-cluster-shards-and-routing.md.

/** The outcome of an inbox message, as JSON. */
export type InboxOutcome =
  | { readonly ok: true; readonly value?: unknown }
  | {
      readonly ok: false;
      readonly error: {
        readonly code: string;
        readonly message: string;
        readonly details?: Readonly<Record<string, unknown>>;
      };
    };

/** A message waiting for its shard's owner. */
export interface InboxMessage {
  /** Unique, increasing in the order messages were sent. */
  readonly id: string;
  readonly shard: number;
  /** What to do (`arrival`, `start`, `query`, …): the engine's vocabulary. */
  readonly kind: string;
  /** JSON. */
  readonly body: unknown;
  /** Database clock, epoch ms. */
  readonly sentAt: number;
}

export interface Inbox {
  /**
   * Writes a message for the owner of `shard` (committed when this resolves) and wakes the
   * nodes listening. Returns its id.
   */
  send(shard: number, kind: string, body: unknown): Promise<string>;
  /**
   * Resolves with each message's outcome once it is written (done by the owner's commit with
   * `RunCommit.inboxDone`, or by {@link finish}). Waits without limit: the caller races it
   * against its own deadline and calls {@link forget} when it gives up.
   */
  outcome(id: string): Promise<InboxOutcome>;
  /** Stops waiting for `id` (its `outcome()` promise never settles) and deletes the message. */
  forget(id: string): Promise<void>;
  /**
   * Pending messages of `shards` in id order, after `after` (exclusive) when given, at most
   * `limit`. Nothing is locked: the owner tells messages it already took by their ids.
   */
  pending(request: {
    readonly shards: readonly number[];
    readonly limit: number;
    readonly after?: string;
  }): Promise<InboxMessage[]>;
  /** Writes a message's outcome (pending → done) and wakes its sender; no-op when done. */
  finish(id: string, outcome: InboxOutcome): Promise<void>;
  /**
   * Calls `listener` when a message is sent to any shard (through `LISTEN`, best effort: the
   * owner also polls). Returns a function that stops listening.
   */
  onSent(listener: (shard: number) => void): () => void;
  /** Deletes done messages older than `olderThanMs` (their senders are gone); returns how many. */
  prune(olderThanMs: number): Promise<number>;
}

/** A store that several processes can share has an inbox. */
export interface InboxStore {
  readonly inbox?: Inbox;
}

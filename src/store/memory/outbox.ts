// The memory store's outbox: messages commits record for delivery after them, listed for
// recovery in (namespace, id) order and deleted once settled or with their purged run.
import type { OutboxRow } from '../contract/index.js';
import { compareStrings } from '../shared/index.js';
import { inShards, key } from './keys.js';

export class MemoryOutbox {
  readonly #outbox = new Map<string, OutboxRow>();

  add(namespace: string, row: OutboxRow): void {
    this.#outbox.set(key(namespace, row.id), { ...row });
  }

  remove(namespace: string, id: string): void {
    this.#outbox.delete(key(namespace, id));
  }

  /** Deletes every outbox row of a run (it was purged). */
  dropRun(namespace: string, runId: string): void {
    for (const [rowKey, o] of this.#outbox)
      if (o.namespace === namespace && o.runId === runId) this.#outbox.delete(rowKey);
  }

  /** The id of an outbox row pinned to a package version, if any. */
  pinnedTo(namespace: string, version: string): string | undefined {
    for (const o of this.#outbox.values()) {
      if (o.namespace === namespace && o.version === version) return o.id;
    }
    return undefined;
  }

  listOutbox(request: {
    after?: { namespace: string; id: string };
    limit: number;
    shards?: readonly number[];
  }): OutboxRow[] {
    const after = request.after;
    return [...this.#outbox.values()]
      .filter(
        (o) =>
          (!after || compareStrings(key(o.namespace, o.id), key(after.namespace, after.id)) > 0) &&
          inShards(request.shards, o.namespace, o.workflowId),
      )
      .sort((a, b) => compareStrings(key(a.namespace, a.id), key(b.namespace, b.id)))
      .slice(0, request.limit)
      .map((o) => ({ ...o }));
  }

  deleteOutbox(namespace: string, ids: readonly string[]): void {
    for (const id of ids) this.remove(namespace, id);
  }
}

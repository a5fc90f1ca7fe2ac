// The shard of a workflow: FNV-1a (32 bit) over the UTF-8 bytes of namespace, NUL, workflow
// id, modulo the store's shard count. Every run of a workflow id (retries, continue-as-new,
// cron runs) lands on the same shard; schedules hash their schedule id the same way. Never
// change it: shard counts and leases in existing stores depend on it.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/**
 * Shards of a new PostgreSQL store (fixed for its lifetime), and the count the single-node
 * stores (memory, SQLite) filter by.
 */
export const DEFAULT_SHARD_COUNT = 64;

/** The shard (0 ≤ shard < count) of a workflow id in a namespace. */
export function shardOf(namespace: string, workflowId: string, count: number): number {
  let h = FNV_OFFSET;
  for (const bytes of [encoder.encode(namespace), [0], encoder.encode(workflowId)]) {
    for (const b of bytes) {
      h ^= b;
      h = Math.imul(h, FNV_PRIME) >>> 0;
    }
  }
  return h % count;
}

/** FNV-1a (32 bit) of a string's UTF-8 bytes. */
function fnv1a(text: string): number {
  let h = FNV_OFFSET;
  for (const b of encoder.encode(text)) {
    h ^= b;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h;
}

/**
 * The node a shard belongs to among `nodes` (rendezvous hashing: the node with the highest
 * score for the shard, ties to the smaller id). A node joining or leaving moves only the
 * shards it wins or held, about `1 / nodes` of them. Undefined when `nodes` is empty.
 */
export function rendezvousOwner(shard: number, nodes: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const node of nodes) {
    // The final multiply-xorshift spreads FNV's weak low bits over the whole score.
    let score = fnv1a(`${node}\u0000${shard}`);
    score = Math.imul(score ^ (score >>> 16), 0x45d9f3b) >>> 0;
    score = (score ^ (score >>> 16)) >>> 0;
    if (score > bestScore || (score === bestScore && best !== undefined && node < best)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}

// The shard of a workflow: FNV-1a (32 bit) over the UTF-8 bytes of namespace, NUL, workflow
// id, modulo the store's shard count. Every run of a workflow id (retries, continue-as-new,
// cron runs) lands on the same shard; schedules hash their schedule id the same way. Never
// change it: shard counts and leases in existing stores depend on it.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

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

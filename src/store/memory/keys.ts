// Map keys of the memory store's parts: every key joins its parts (namespace first) with a
// separator no namespace, id or name contains.
import { DEFAULT_SHARD_COUNT, shardOf } from '../shared/index.js';

export const key = (...parts: string[]): string => parts.join('\u0000');

/**
 * Whether a row of workflow `workflowId` belongs to one of `shards` (every row when
 * `shards` is undefined). A single-node store has the default shard count.
 */
export function inShards(
  shards: readonly number[] | undefined,
  namespace: string,
  workflowId: string,
): boolean {
  return (
    shards === undefined || shards.includes(shardOf(namespace, workflowId, DEFAULT_SHARD_COUNT))
  );
}

/** Whether a lease or claim held by `owner` is to expire (see TaskStore.expireLeases). */
export function ownerExpires(
  owner: string | undefined,
  exceptOwner: string,
  owners: readonly string[] | undefined,
): boolean {
  if (owner === undefined) return false;
  return owners === undefined ? owner !== exceptOwner : owners.includes(owner);
}

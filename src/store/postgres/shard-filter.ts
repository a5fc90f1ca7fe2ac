import { invalidArgument } from '../../core/index.js';
import { intArray } from './arrays.js';

/**
 * The `AND shard = ANY(…)` condition of a query filtered by shards, its parameter appended to
 * `values`; empty (the query unchanged) when `shards` is undefined. An empty list matches
 * nothing.
 */
export function shardFilter(shards: readonly number[] | undefined, values: unknown[]): string {
  if (shards === undefined) return '';
  for (const shard of shards) {
    if (!Number.isSafeInteger(shard) || shard < 0) {
      throw invalidArgument(`shards must be whole numbers, 0 or more; got ${String(shard)}`, {
        field: 'shards',
      });
    }
  }
  values.push(intArray(shards));
  return ` AND shard = ANY($${values.length}::int[])`;
}

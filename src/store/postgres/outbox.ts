import type { OutboxRow } from '../contract/index.js';
import type { PgDriver } from './driver.js';
import { shardFilter } from './shard-filter.js';
import { toOutbox } from './rows.js';

/** Outbox rows of every namespace in (namespace, id) code point order, paged with `after`. */
export async function listOutbox(
  db: PgDriver,
  s: string,
  request: {
    readonly after?: { readonly namespace: string; readonly id: string };
    readonly limit: number;
    readonly shards?: readonly number[];
  },
): Promise<OutboxRow[]> {
  const after = request.after;
  const values: unknown[] = [after?.namespace ?? null, after?.id ?? null];
  values.push(Math.max(0, request.limit));
  const rows = await db.query(
    `SELECT * FROM ${s}.outbox
     WHERE ($1::text IS NULL OR (namespace COLLATE "C", id COLLATE "C") > ($1::text COLLATE "C", $2::text COLLATE "C"))${shardFilter(request.shards, values)}
     ORDER BY namespace COLLATE "C", id COLLATE "C" LIMIT $3`,
    values,
    'listOutbox',
  );
  return rows.map(toOutbox);
}

export async function deleteOutbox(
  db: PgDriver,
  s: string,
  namespace: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `DELETE FROM ${s}.outbox WHERE namespace = $1 AND id = ANY($2::text[])`,
    [namespace, ids],
    'deleteOutbox',
  );
}

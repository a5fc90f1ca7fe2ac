import type { SearchAttributes } from '../../core/index.js';
import { searchAttributeRows } from '../sql/index.js';
import type { Queryable } from './driver.js';

/**
 * Replaces the `run_search_attrs` rows of the given runs (after their search attributes
 * changed), with the rows the shared SQL visibility compiler expects.
 */
export async function rewriteSearchAttrs(
  q: Queryable,
  s: string,
  runs: readonly {
    namespace: string;
    runId: string;
    searchAttributes: SearchAttributes;
    isNew: boolean;
  }[],
): Promise<void> {
  if (runs.length === 0) return;
  const existing = runs.filter((r) => !r.isNew);
  if (existing.length > 0) {
    await q.query(
      `DELETE FROM ${s}.run_search_attrs a USING unnest($1::text[], $2::text[]) AS v(namespace, run_id)
       WHERE a.namespace = v.namespace AND a.run_id = v.run_id`,
      [existing.map((r) => r.namespace), existing.map((r) => r.runId)],
    );
  }
  const c = {
    namespace: [] as string[],
    runId: [] as string[],
    name: [] as string[],
    type: [] as string[],
    isToken: [] as number[],
    str: [] as (string | null)[],
    num: [] as (number | null)[],
  };
  for (const r of runs) {
    for (const row of searchAttributeRows(r.searchAttributes)) {
      c.namespace.push(r.namespace);
      c.runId.push(r.runId);
      c.name.push(row.name);
      c.type.push(row.type);
      c.isToken.push(row.isToken);
      c.str.push(row.strValue);
      c.num.push(row.numValue);
    }
  }
  if (c.namespace.length === 0) return;
  await q.query(
    `INSERT INTO ${s}.run_search_attrs (namespace, run_id, name, type, is_token, str_value, num_value)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::float8[])`,
    [c.namespace, c.runId, c.name, c.type, c.isToken, c.str, c.num],
  );
}

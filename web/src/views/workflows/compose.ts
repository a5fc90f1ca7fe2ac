// The list's filters as query-language text: the query box, then the chips (status, type,
// start time, workflow-id prefix) joined with AND, the box's ORDER BY kept at the end.
import { quote, statusQueryValue } from '../../format.js';
import { WORKFLOW_STATUSES, type WorkflowStatus } from '../../types.js';

export interface Filters {
  /** The query box's text. */
  readonly query: string;
  readonly statuses: readonly WorkflowStatus[];
  readonly type: string;
  /** Started within: '1h', '24h', '7d' or ''. */
  readonly within: string;
  readonly prefix: string;
}

export const WITHIN: Record<string, { label: string; ms: number }> = {
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
};

export function filtersFromParams(p: URLSearchParams): Filters {
  const statuses = (p.get('status') ?? '')
    .split(',')
    .filter((s): s is WorkflowStatus => (WORKFLOW_STATUSES as readonly string[]).includes(s));
  return {
    query: p.get('query') ?? '',
    statuses,
    type: p.get('type') ?? '',
    within: p.get('within') ?? '',
    prefix: p.get('prefix') ?? '',
  };
}

export function filtersToParams(f: Filters): Record<string, string | undefined> {
  return {
    query: f.query || undefined,
    status: f.statuses.join(',') || undefined,
    type: f.type || undefined,
    within: f.within || undefined,
    prefix: f.prefix || undefined,
  };
}

/** Splits `… ORDER BY x` into the filter and the ordering (outside string literals). */
export function splitOrderBy(query: string): { where: string; orderBy: string } {
  let inQuote: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (inQuote) {
      if (c === inQuote) inQuote = undefined;
      continue;
    }
    if (c === "'" || c === '"') inQuote = c;
    else if (/^ORDER\s+BY\b/i.test(query.slice(i)) && (i === 0 || /\s|\)/.test(query[i - 1] ?? '')))
      return { where: query.slice(0, i).trim(), orderBy: query.slice(i).trim() };
  }
  return { where: query.trim(), orderBy: '' };
}

/** Clauses for ids starting with `prefix` (strings compare by code point). */
export function prefixClause(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  const upper = prefix.slice(0, -1) + String.fromCharCode(last + 1);
  return `WorkflowId >= ${quote(prefix)} AND WorkflowId < ${quote(upper)}`;
}

/** The filter part of the chips alone (no ORDER BY). */
export function chipClauses(f: Filters, now: number): string[] {
  const clauses: string[] = [];
  if (f.statuses.length === 1)
    clauses.push(`ExecutionStatus = ${quote(statusQueryValue(f.statuses[0] as WorkflowStatus))}`);
  else if (f.statuses.length > 1)
    clauses.push(
      `ExecutionStatus IN (${f.statuses.map((s) => quote(statusQueryValue(s))).join(', ')})`,
    );
  if (f.type) clauses.push(`WorkflowType = ${quote(f.type)}`);
  const within = WITHIN[f.within];
  if (within) clauses.push(`StartTime > ${quote(new Date(now - within.ms).toISOString())}`);
  if (f.prefix) clauses.push(prefixClause(f.prefix));
  return clauses;
}

/** The query sent to the server; `withoutStatus` leaves the status chips out (for counts). */
export function composeQuery(f: Filters, now: number, withoutStatus = false): string {
  const { where, orderBy } = splitOrderBy(f.query);
  const chips = chipClauses(withoutStatus ? { ...f, statuses: [] } : f, now);
  const parts = [...(where ? [chips.length ? `(${where})` : where] : []), ...chips];
  return [parts.join(' AND '), orderBy].filter((s) => s !== '').join(' ');
}

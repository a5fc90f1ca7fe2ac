/**
 * Temporal's count-only suffix `… GROUP BY ExecutionStatus`: split off before the filter is
 * parsed, so the query language itself stays a filter plus an order.
 */
import { tokenize } from './lexer.js';

/** A count query: the filter text and the field named by a trailing `GROUP BY`, if any. */
export interface GroupedQuery {
  readonly query: string;
  readonly groupBy?: string;
}

/**
 * Splits a trailing `GROUP BY <field>` (keywords in any case) off `text`. Anything else is
 * returned whole, for the query parser to accept or point at; the field is returned as
 * written, for the caller to check.
 *
 * @example
 * splitGroupBy("WorkflowType = 'order' GROUP BY ExecutionStatus");
 * // → { query: "WorkflowType = 'order' ", groupBy: 'ExecutionStatus' }
 */
export function splitGroupBy(text: string): GroupedQuery {
  const tokens = tokenize(text);
  const n = tokens.length;
  // [..., GROUP, BY, field, end]
  const [group, by, field] = [tokens[n - 4], tokens[n - 3], tokens[n - 2]];
  if (
    group?.kind !== 'ident' ||
    group.value.toUpperCase() !== 'GROUP' ||
    by?.kind !== 'ident' ||
    by.value.toUpperCase() !== 'BY' ||
    field?.kind !== 'ident'
  ) {
    return { query: text };
  }
  return { query: text.slice(0, group.position), groupBy: field.value };
}

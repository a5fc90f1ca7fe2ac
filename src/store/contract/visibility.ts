// The visibility part of the store contract: the filter expression every store compiles to
// its own query, ordering and cursor pages over run rows, and the non-event visibility fields.
import type { BuiltinField, SearchAttributeType } from '../../core/index.js';
import type { RunInfo } from './runs.js';

/** Extra visibility fields that are not derived from events. */
export interface VisibilityPatch {
  /** Durable "stuck" flag with the crash reason; `null` clears it. */
  readonly stuck?: { readonly reason: string; readonly since: number } | null;
}

/** The built-in fields of every run's visibility row (defined in core: the console shares them). */
export type { BuiltinField };

export type FieldRef =
  | { readonly kind: 'builtin'; readonly name: BuiltinField }
  | { readonly kind: 'custom'; readonly name: string; readonly type: SearchAttributeType };

/** A scalar compared against a field: strings, numbers (times in epoch ms) and booleans. */
export type ScalarValue = string | number | boolean;

/**
 * Filter expression over visibility rows. The filter language (e.g.
 * `WorkflowType = 'x' AND StartTime > '…'`) compiles into this; each store compiles it to
 * its own query. Semantics (reference: the memory store):
 * - `cmp`: a missing custom attribute never matches (also not for `!=`).
 * - On `KeywordList` fields `=`/`in` match if any element matches; `contains` is the same.
 * - On `Text` fields `contains` matches when every token of the value is a token of the text.
 * - `exists` is true when a custom attribute is set (builtins always exist, except CloseTime
 *   for open runs).
 */
export type VisibilityExpr =
  | { readonly op: 'and' | 'or'; readonly args: readonly VisibilityExpr[] }
  | { readonly op: 'not'; readonly arg: VisibilityExpr }
  | {
      readonly op: 'cmp';
      readonly field: FieldRef;
      readonly cmp: '=' | '!=' | '<' | '<=' | '>' | '>=';
      readonly value: ScalarValue;
    }
  | { readonly op: 'in'; readonly field: FieldRef; readonly values: readonly ScalarValue[] }
  | {
      readonly op: 'between';
      readonly field: FieldRef;
      readonly low: ScalarValue;
      readonly high: ScalarValue;
    }
  | { readonly op: 'contains'; readonly field: FieldRef; readonly value: string }
  | { readonly op: 'exists'; readonly field: FieldRef };

export type OrderField = 'StartTime' | 'CloseTime' | 'WorkflowId' | 'WorkflowType';

export interface ListRequest {
  readonly namespace: string;
  readonly where?: VisibilityExpr;
  /** Default StartTime DESC. Ties are broken by run id in the same direction (stable). */
  readonly orderBy?: { readonly field: OrderField; readonly direction: 'ASC' | 'DESC' };
  /** Default 100, maximum 1000. */
  readonly pageSize?: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

export interface ListPage {
  readonly items: readonly RunInfo[];
  /** Present when more rows may follow. */
  readonly nextCursor?: string;
}

/** The fields runs can be counted by, one count per value (see `countRunGroups`). */
export type GroupByField = 'ExecutionStatus' | 'WorkflowType';

/** Matching runs with one value of the grouped field. */
export interface RunGroupCount {
  /** The field's value: a status (`RUNNING`, …) or a workflow type. */
  readonly value: string;
  readonly count: number;
}

export interface VisibilityStore {
  listRuns(request: ListRequest): Promise<ListPage>;
  countRuns(namespace: string, where?: VisibilityExpr): Promise<number>;
  /**
   * Counts the matching runs per value of `groupBy` in one grouped query. Values no run has
   * are absent; groups come in ascending code-point order of their value. An unknown
   * `groupBy` is `invalid_argument`.
   */
  countRunGroups(
    namespace: string,
    groupBy: GroupByField,
    where?: VisibilityExpr,
  ): Promise<RunGroupCount[]>;
}

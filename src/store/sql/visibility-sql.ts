/**
 * Compiles visibility filters, ordering and cursors to SQL for the SQL stores, over the
 * shared layout: `runs r` (one row per run) and `run_search_attrs` (typed rows per search
 * attribute value). Semantics match `evaluateExpr` (the reference) exactly; in particular
 * every predicate yields TRUE or FALSE, never NULL, so NOT behaves as in JavaScript.
 */
import {
  tokenizeText,
  type SearchAttributes,
  type WorkflowStatus,
  type Payload,
} from '../../core/index.js';
import type {
  BuiltinField,
  FieldRef,
  GroupByField,
  ListRequest,
  RunGroupCount,
  RunInfo,
  ScalarValue,
  VisibilityExpr,
} from '../contract/index.js';
import {
  cursorAfter,
  decodeCursor,
  OPEN_CLOSE_TIME,
  resolveOrder,
  resolvePageSize,
  type CursorPosition,
} from '../shared/index.js';
import { sortGroups, validateExpr, validateGroupBy } from '../shared/index.js';

export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Placeholder for the 1-based parameter `index` (`?` or `$n`). */
  param(index: number): string;
  /** Suffix forcing byte (code point) order on text comparisons ('' or ' COLLATE "C"'). */
  readonly collate: string;
  /** Parameter value for a boolean. */
  bool(value: boolean): unknown;
}

export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  param: () => '?',
  collate: '',
  bool: (v) => (v ? 1 : 0),
};

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  param: (i) => `$${i}`,
  collate: ' COLLATE "C"',
  bool: (v) => v,
};

class Params {
  readonly values: unknown[] = [];
  constructor(readonly dialect: SqlDialect) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.param(this.values.length);
  }
}

const BUILTIN_COLUMN: Record<Exclude<BuiltinField, 'Stuck'>, string> = {
  WorkflowId: 'r.workflow_id',
  RunId: 'r.run_id',
  WorkflowType: 'r.workflow_type',
  TaskQueue: 'r.task_queue',
  ExecutionStatus: 'r.status',
  Version: 'r.version',
  StartTime: 'r.start_time',
  CloseTime: 'r.close_time',
};

const TRUE = '(1=1)';
const FALSE = '(1=0)';

function isTextField(field: FieldRef): boolean {
  if (field.kind === 'builtin')
    return field.name !== 'StartTime' && field.name !== 'CloseTime' && field.name !== 'Stuck';
  return field.type === 'Keyword' || field.type === 'KeywordList' || field.type === 'Text';
}

function saColumn(field: FieldRef & { kind: 'custom' }): string {
  return isTextField(field) ? 'sa.str_value' : 'sa.num_value';
}

function saValue(field: FieldRef, value: ScalarValue): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

/** `extra` is built after name and type are bound, so positional placeholders stay in order. */
function saExists(
  p: Params,
  field: FieldRef & { kind: 'custom' },
  extra: () => string,
  isToken = 0,
): string {
  const name = p.add(field.name);
  const type = p.add(field.type);
  return `EXISTS (SELECT 1 FROM run_search_attrs sa WHERE sa.namespace = r.namespace AND sa.run_id = r.run_id AND sa.name = ${name} AND sa.type = ${type} AND sa.is_token = ${isToken}${extra()})`;
}

function builtinOperand(
  p: Params,
  field: FieldRef & { kind: 'builtin' },
  value: ScalarValue,
): string {
  return p.add(field.name === 'Stuck' ? p.dialect.bool(value as boolean) : value);
}

function builtinColumn(p: Params, name: BuiltinField): string {
  if (name === 'Stuck') return '(r.stuck_reason IS NOT NULL)';
  return (
    BUILTIN_COLUMN[name] + (name === 'StartTime' || name === 'CloseTime' ? '' : p.dialect.collate)
  );
}

/** Guards CloseTime (NULL while open) so comparisons are FALSE, not NULL. */
function guard(field: FieldRef & { kind: 'builtin' }, predicate: string): string {
  return field.name === 'CloseTime'
    ? `(r.close_time IS NOT NULL AND ${predicate})`
    : `(${predicate})`;
}

function compile(expr: VisibilityExpr, p: Params): string {
  switch (expr.op) {
    case 'and':
    case 'or':
      return `(${expr.args.map((a) => compile(a, p)).join(expr.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${compile(expr.arg, p)})`;
    case 'cmp': {
      const { field } = expr;
      if (field.kind === 'builtin') {
        if (field.name === 'Stuck' && (expr.cmp === '=' || expr.cmp === '!=')) {
          // `stuck_reason IS [NOT] NULL` as such: SQLite's partial index on stuck runs matches it.
          const stuck = (expr.value === true) === (expr.cmp === '=');
          return `(r.stuck_reason IS ${stuck ? 'NOT ' : ''}NULL)`;
        }
        return guard(
          field,
          `${builtinColumn(p, field.name)} ${expr.cmp} ${builtinOperand(p, field, expr.value)}`,
        );
      }
      const col = saColumn(field) + (isTextField(field) ? p.dialect.collate : '');
      if (expr.cmp === '!=') {
        return `(${saExists(p, field, () => '')} AND NOT ${saExists(p, field, () => ` AND ${col} = ${p.add(saValue(field, expr.value))}`)})`;
      }
      return saExists(
        p,
        field,
        () => ` AND ${col} ${expr.cmp} ${p.add(saValue(field, expr.value))}`,
      );
    }
    case 'in': {
      const { field } = expr;
      if (field.kind === 'builtin') {
        const list = expr.values.map((v) => builtinOperand(p, field, v)).join(', ');
        return guard(field, `${builtinColumn(p, field.name)} IN (${list})`);
      }
      return saExists(
        p,
        field,
        () =>
          ` AND ${saColumn(field)} IN (${expr.values.map((v) => p.add(saValue(field, v))).join(', ')})`,
      );
    }
    case 'between': {
      const { field } = expr;
      if (field.kind === 'builtin') {
        const col = builtinColumn(p, field.name);
        return guard(
          field,
          `${col} >= ${builtinOperand(p, field, expr.low)} AND ${col} <= ${builtinOperand(p, field, expr.high)}`,
        );
      }
      const col = saColumn(field) + (isTextField(field) ? p.dialect.collate : '');
      return saExists(
        p,
        field,
        () =>
          ` AND ${col} >= ${p.add(saValue(field, expr.low))} AND ${col} <= ${p.add(saValue(field, expr.high))}`,
      );
    }
    case 'contains': {
      const { field } = expr;
      if (field.kind !== 'custom') return FALSE;
      if (field.type === 'KeywordList')
        return saExists(p, field, () => ` AND sa.str_value = ${p.add(expr.value)}`);
      const tokens = tokenizeText(expr.value);
      if (tokens.length === 0) return FALSE;
      return `(${tokens.map((t) => saExists(p, field, () => ` AND sa.str_value = ${p.add(t)}`, 1)).join(' AND ')})`;
    }
    case 'exists': {
      const { field } = expr;
      if (field.kind === 'builtin')
        return field.name === 'CloseTime' ? '(r.close_time IS NOT NULL)' : TRUE;
      return saExists(p, field, () => '');
    }
  }
}

/** Compiles a validated filter; appends parameters to `params`. */
export function compileWhere(
  expr: VisibilityExpr,
  dialect: SqlDialect,
  params: unknown[] = [],
): { sql: string; params: unknown[] } {
  validateExpr(expr);
  const p = new Params(dialect);
  p.values.push(...params);
  const sql = compile(expr, p);
  return { sql, params: p.values };
}

function sortExpression(field: CursorPosition['field'], dialect: SqlDialect): string {
  switch (field) {
    case 'StartTime':
      return 'r.start_time';
    case 'CloseTime':
      return `COALESCE(r.close_time, ${OPEN_CLOSE_TIME})`;
    case 'WorkflowId':
      return `r.workflow_id${dialect.collate}`;
    case 'WorkflowType':
      return `r.workflow_type${dialect.collate}`;
  }
}

export interface CompiledList {
  readonly sql: string;
  readonly params: unknown[];
  readonly pageSize: number;
  readonly order: { readonly field: CursorPosition['field']; readonly direction: 'ASC' | 'DESC' };
}

/** `SELECT r.* FROM runs r WHERE … ORDER BY … LIMIT pageSize + 1` (the extra row tells if more follow). */
export function buildListQuery(request: ListRequest, dialect: SqlDialect): CompiledList {
  const pageSize = resolvePageSize(request.pageSize);
  const order = resolveOrder(request);
  const p = new Params(dialect);
  const conditions = [`r.namespace = ${p.add(request.namespace)}`];
  if (request.where) {
    validateExpr(request.where);
    conditions.push(compile(request.where, p));
  }
  const sortExpr = sortExpression(order.field, dialect);
  const runIdExpr = `r.run_id${dialect.collate}`;
  if (request.cursor !== undefined) {
    const pos = decodeCursor(request.cursor, order);
    const op = order.direction === 'DESC' ? '<' : '>';
    conditions.push(
      `(${sortExpr} ${op} ${p.add(pos.value)} OR (${sortExpr} = ${p.add(pos.value)} AND ${runIdExpr} ${op} ${p.add(pos.runId)}))`,
    );
  }
  const sql = `SELECT r.* FROM runs r WHERE ${conditions.join(' AND ')} ORDER BY ${sortExpr} ${order.direction}, ${runIdExpr} ${order.direction} LIMIT ${pageSize + 1}`;
  return { sql, params: p.values, pageSize, order };
}

/** `FROM runs r WHERE …` for the namespace and filter, with its parameters. */
function countFrom(
  namespace: string,
  where: VisibilityExpr | undefined,
  dialect: SqlDialect,
): { from: string; params: unknown[] } {
  const p = new Params(dialect);
  const conditions = [`r.namespace = ${p.add(namespace)}`];
  if (where) {
    validateExpr(where);
    conditions.push(compile(where, p));
  }
  return { from: `FROM runs r WHERE ${conditions.join(' AND ')}`, params: p.values };
}

export function buildCountQuery(
  namespace: string,
  where: VisibilityExpr | undefined,
  dialect: SqlDialect,
): { sql: string; params: unknown[] } {
  const { from, params } = countFrom(namespace, where, dialect);
  return { sql: `SELECT COUNT(*) AS n ${from}`, params };
}

const GROUP_COLUMN: Record<GroupByField, string> = {
  ExecutionStatus: 'r.status',
  WorkflowType: 'r.workflow_type',
};

/** `SELECT value, COUNT(*) … GROUP BY value`: every group's count in one query. */
export function buildGroupCountQuery(
  namespace: string,
  groupBy: GroupByField,
  where: VisibilityExpr | undefined,
  dialect: SqlDialect,
): { sql: string; params: unknown[] } {
  validateGroupBy(groupBy);
  const { from, params } = countFrom(namespace, where, dialect);
  const column = GROUP_COLUMN[groupBy];
  return { sql: `SELECT ${column} AS value, COUNT(*) AS n ${from} GROUP BY ${column}`, params };
}

/** Group rows as the contract returns them (counts may arrive as strings from pg's int8). */
export function toGroups(rows: readonly { value: string; n: number | string }[]): RunGroupCount[] {
  return sortGroups(rows.map((row) => ({ value: row.value, count: Number(row.n) })));
}

/** One row of `run_search_attrs` (besides namespace and run_id). */
export interface SearchAttributeRow {
  readonly name: string;
  readonly type: string;
  readonly isToken: 0 | 1;
  readonly strValue: string | null;
  readonly numValue: number | null;
}

/**
 * The typed rows that index a run's search attributes. An empty KeywordList gets one row
 * with NULL values so `exists` still sees it.
 */
export function searchAttributeRows(attrs: SearchAttributes): SearchAttributeRow[] {
  const rows: SearchAttributeRow[] = [];
  for (const [name, sa] of Object.entries(attrs)) {
    switch (sa.type) {
      case 'Keyword':
        rows.push({ name, type: sa.type, isToken: 0, strValue: sa.value, numValue: null });
        break;
      case 'KeywordList':
        if (sa.value.length === 0)
          rows.push({ name, type: sa.type, isToken: 0, strValue: null, numValue: null });
        for (const v of new Set(sa.value))
          rows.push({ name, type: sa.type, isToken: 0, strValue: v, numValue: null });
        break;
      case 'Text':
        rows.push({ name, type: sa.type, isToken: 0, strValue: sa.value, numValue: null });
        for (const t of tokenizeText(sa.value))
          rows.push({ name, type: sa.type, isToken: 1, strValue: t, numValue: null });
        break;
      case 'Int':
      case 'Double':
      case 'Datetime':
        rows.push({ name, type: sa.type, isToken: 0, strValue: null, numValue: sa.value });
        break;
      case 'Bool':
        rows.push({ name, type: sa.type, isToken: 0, strValue: null, numValue: sa.value ? 1 : 0 });
        break;
    }
  }
  return rows;
}

/** Column values of the `runs` row for a RunInfo (same names in both SQL stores). */
export interface RunRow {
  namespace: string;
  run_id: string;
  workflow_id: string;
  workflow_type: string;
  task_queue: string;
  status: string;
  version: string;
  start_time: number | string;
  close_time: number | string | null;
  head_seq: number | string;
  parent_workflow_id: string | null;
  parent_run_id: string | null;
  continued_from_run_id: string | null;
  search_attributes: string;
  memo: string;
  stuck_reason: string | null;
  stuck_since: number | string | null;
}

export function runInfoToRow(info: RunInfo): RunRow {
  return {
    namespace: info.namespace,
    run_id: info.runId,
    workflow_id: info.workflowId,
    workflow_type: info.workflowType,
    task_queue: info.taskQueue,
    status: info.status,
    version: info.version,
    start_time: info.startTime,
    close_time: info.closeTime ?? null,
    head_seq: info.headSeq,
    parent_workflow_id: info.parent?.workflowId ?? null,
    parent_run_id: info.parent?.runId ?? null,
    continued_from_run_id: info.continuedFromRunId ?? null,
    search_attributes: JSON.stringify(info.searchAttributes),
    memo: JSON.stringify(info.memo),
    stuck_reason: info.stuck?.reason ?? null,
    stuck_since: info.stuck?.since ?? null,
  };
}

/** Maps a `runs` row back (numbers may arrive as strings from pg's int8). */
export function rowToRunInfo(row: RunRow): RunInfo {
  const info: {
    -readonly [K in keyof RunInfo]: RunInfo[K];
  } = {
    namespace: row.namespace,
    workflowId: row.workflow_id,
    runId: row.run_id,
    workflowType: row.workflow_type,
    taskQueue: row.task_queue,
    status: row.status as WorkflowStatus,
    version: row.version,
    startTime: Number(row.start_time),
    headSeq: Number(row.head_seq),
    searchAttributes: JSON.parse(row.search_attributes) as SearchAttributes,
    memo: JSON.parse(row.memo) as Record<string, Payload>,
  };
  if (row.close_time !== null) info.closeTime = Number(row.close_time);
  if (row.parent_workflow_id !== null && row.parent_run_id !== null) {
    info.parent = { workflowId: row.parent_workflow_id, runId: row.parent_run_id };
  }
  if (row.continued_from_run_id !== null) info.continuedFromRunId = row.continued_from_run_id;
  if (row.stuck_reason !== null)
    info.stuck = { reason: row.stuck_reason, since: Number(row.stuck_since ?? 0) };
  return info;
}

/** Builds the page result from `pageSize + 1` rows. */
export function toListPage(
  rows: readonly RunRow[],
  compiled: CompiledList,
): { items: RunInfo[]; nextCursor?: string } {
  const items = rows.slice(0, compiled.pageSize).map(rowToRunInfo);
  if (rows.length <= compiled.pageSize) return { items };
  const last = items[items.length - 1]!;
  return { items, nextCursor: cursorAfter(last, compiled.order) };
}

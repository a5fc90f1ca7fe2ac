/**
 * The fields a visibility query can name and what each accepts: the built-in fields of every
 * run and the custom search attributes of a namespace's schema.
 */
import {
  STATUS_QUERY_NAMES,
  WORKFLOW_STATUSES,
  type SearchAttributeType,
  type WorkflowStatus,
} from '../core/index.js';
import {
  BUILTIN_FIELDS,
  KEYWORDS,
  type BuiltinField,
  type FieldRef,
  type OrderField,
} from '../store/index.js';

/** The built-in fields and the query keywords are the store's: it reserves them as names. */
export { BUILTIN_FIELDS, KEYWORDS };

export const ORDER_FIELDS: readonly OrderField[] = [
  'StartTime',
  'CloseTime',
  'WorkflowId',
  'WorkflowType',
];

/**
 * What a field holds, which decides the literals and operators it accepts:
 * - `keyword`: exact strings, ordered by code point (ranges allowed);
 * - `status`: an execution status (equality only);
 * - `text`: full text — `=` compares the whole value, CONTAINS matches words;
 * - `list`: a keyword list — `=`/IN/CONTAINS match any element;
 * - `int`, `double`, `time` (epoch ms, written as ISO-8601 or integer ms): numbers;
 * - `bool`.
 */
export type FieldClass =
  'keyword' | 'status' | 'text' | 'list' | 'int' | 'double' | 'time' | 'bool';

const BUILTIN_CLASS: Record<BuiltinField, FieldClass> = {
  WorkflowId: 'keyword',
  RunId: 'keyword',
  WorkflowType: 'keyword',
  TaskQueue: 'keyword',
  ExecutionStatus: 'status',
  StartTime: 'time',
  CloseTime: 'time',
  Version: 'keyword',
  Stuck: 'bool',
};

const CUSTOM_CLASS: Record<SearchAttributeType, FieldClass> = {
  Keyword: 'keyword',
  KeywordList: 'list',
  Text: 'text',
  Int: 'int',
  Double: 'double',
  Bool: 'bool',
  Datetime: 'time',
};

export function fieldClass(field: FieldRef): FieldClass {
  return field.kind === 'builtin' ? BUILTIN_CLASS[field.name] : CUSTOM_CLASS[field.type];
}

/** How a field is described in messages: `CustomerId (Keyword)`, `StartTime (built-in, time)`. */
export function describeField(field: FieldRef): string {
  return field.kind === 'custom'
    ? `${field.name} (${field.type})`
    : `${field.name} (built-in, ${BUILTIN_CLASS[field.name]})`;
}

export function isBuiltinField(name: string): name is BuiltinField {
  return (BUILTIN_FIELDS as readonly string[]).includes(name);
}

export function isOrderField(name: string): name is OrderField {
  return (ORDER_FIELDS as readonly string[]).includes(name);
}

const spelling = (name: string): string => name.toLowerCase().replaceAll('_', '');

/** Each status by its spellings (any case, `_` optional): Temporal's and the API's. */
const STATUS_SPELLINGS: ReadonlyMap<string, WorkflowStatus> = new Map(
  WORKFLOW_STATUSES.flatMap((s) => [
    [spelling(STATUS_QUERY_NAMES[s]), s],
    [spelling(s), s],
  ]),
);

export const STATUS_NAMES = WORKFLOW_STATUSES.map((s) => STATUS_QUERY_NAMES[s]).join(', ');

/** The status a query literal names (`'Running'`, `'TIMED_OUT'`, `'canceled'` …), if any. */
export function normalizeStatus(text: string): WorkflowStatus | undefined {
  return STATUS_SPELLINGS.get(spelling(text));
}

import type { SearchAttributeType } from '../../core/index.js';
import type { BuiltinField, FieldRef, ScalarValue, VisibilityExpr } from '../contract/index.js';

/** Builders for visibility filter expressions and the fields the filter scenarios use. */

export const builtin = (name: BuiltinField): FieldRef => ({ kind: 'builtin', name });
export const custom = (name: string, type: SearchAttributeType): FieldRef => ({
  kind: 'custom',
  name,
  type,
});
export const cmp = (
  field: FieldRef,
  op: '=' | '!=' | '<' | '<=' | '>' | '>=',
  value: ScalarValue,
): VisibilityExpr => ({
  op: 'cmp',
  field,
  cmp: op,
  value,
});
export const and = (...args: VisibilityExpr[]): VisibilityExpr => ({ op: 'and', args });
export const or = (...args: VisibilityExpr[]): VisibilityExpr => ({ op: 'or', args });
export const not = (arg: VisibilityExpr): VisibilityExpr => ({ op: 'not', arg });

export const TYPE = builtin('WorkflowType');
export const STATUS = builtin('ExecutionStatus');
export const START = builtin('StartTime');
export const CLOSE = builtin('CloseTime');
export const CUSTOMER = custom('Customer', 'Keyword');
export const TAGS = custom('Tags', 'KeywordList');
export const NOTES = custom('Notes', 'Text');
export const AMOUNT = custom('Amount', 'Int');
export const SCORE = custom('Score', 'Double');
export const VIP = custom('Vip', 'Bool');
export const DUE = custom('Due', 'Datetime');

import {
  AionError,
  isWorkflowStatus,
  tokenizeText,
  type SearchAttributeType,
  type SearchAttributeValue,
} from '../../core/index.js';
import type {
  BuiltinField,
  FieldRef,
  RunInfo,
  ScalarValue,
  VisibilityExpr,
} from '../contract/index.js';

type ValueKind = 'string' | 'number' | 'boolean';

const BUILTIN_KIND: Record<BuiltinField, ValueKind> = {
  WorkflowId: 'string',
  RunId: 'string',
  WorkflowType: 'string',
  TaskQueue: 'string',
  ExecutionStatus: 'string',
  Version: 'string',
  StartTime: 'number',
  CloseTime: 'number',
  Stuck: 'boolean',
};

const CUSTOM_KIND: Record<SearchAttributeType, ValueKind> = {
  Keyword: 'string',
  KeywordList: 'string',
  Text: 'string',
  Int: 'number',
  Double: 'number',
  Bool: 'boolean',
  Datetime: 'number',
};

export function fieldKind(field: FieldRef): ValueKind {
  return field.kind === 'builtin' ? BUILTIN_KIND[field.name] : CUSTOM_KIND[field.type];
}

function fieldName(field: FieldRef): string {
  return field.name;
}

function bad(message: string): AionError {
  return new AionError('invalid_argument', message, { field: 'where' });
}

function checkValue(field: FieldRef, value: ScalarValue): void {
  const kind = fieldKind(field);
  if (typeof value !== kind || (kind === 'number' && !Number.isFinite(value))) {
    throw bad(`${fieldName(field)} compares with ${kind} values, got ${JSON.stringify(value)}`);
  }
  if (field.kind === 'builtin' && field.name === 'ExecutionStatus' && !isWorkflowStatus(value)) {
    throw bad(
      `ExecutionStatus must be one of RUNNING, PAUSED, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW; got ${JSON.stringify(value)}`,
    );
  }
}

/** Validates a filter expression: field/value types, operator applicability. Throws invalid_argument. */
export function validateExpr(expr: VisibilityExpr, depth = 0): void {
  if (depth > 64) throw bad('filter expression is nested too deeply (max 64)');
  switch (expr.op) {
    case 'and':
    case 'or':
      if (expr.args.length === 0) throw bad(`'${expr.op}' needs at least one operand`);
      for (const arg of expr.args) validateExpr(arg, depth + 1);
      return;
    case 'not':
      validateExpr(expr.arg, depth + 1);
      return;
    case 'cmp':
      checkValue(expr.field, expr.value);
      return;
    case 'in':
      if (expr.values.length === 0 || expr.values.length > 1000)
        throw bad(`IN on ${fieldName(expr.field)} needs 1 to 1000 values`);
      for (const v of expr.values) checkValue(expr.field, v);
      return;
    case 'between':
      checkValue(expr.field, expr.low);
      checkValue(expr.field, expr.high);
      return;
    case 'contains':
      if (
        expr.field.kind !== 'custom' ||
        (expr.field.type !== 'KeywordList' && expr.field.type !== 'Text')
      ) {
        throw bad(
          `contains applies to KeywordList and Text search attributes, not ${fieldName(expr.field)}`,
        );
      }
      if (typeof expr.value !== 'string')
        throw bad(`contains on ${fieldName(expr.field)} needs a string`);
      return;
    case 'exists':
      return;
  }
}

/** Code-point order, the order of UTF-8 bytes (SQLite BINARY, PostgreSQL COLLATE "C"). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareScalars(a: ScalarValue, b: ScalarValue): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  const x = typeof a === 'boolean' ? Number(a) : (a as number);
  const y = typeof b === 'boolean' ? Number(b) : (b as number);
  return x === y ? 0 : x < y ? -1 : 1;
}

function cmpHolds(op: '=' | '!=' | '<' | '<=' | '>' | '>=', c: number): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** The scalar values a field holds for a run: [] when missing, several for KeywordList. */
function fieldValues(info: RunInfo, field: FieldRef): ScalarValue[] {
  if (field.kind === 'builtin') {
    switch (field.name) {
      case 'WorkflowId':
        return [info.workflowId];
      case 'RunId':
        return [info.runId];
      case 'WorkflowType':
        return [info.workflowType];
      case 'TaskQueue':
        return [info.taskQueue];
      case 'ExecutionStatus':
        return [info.status];
      case 'Version':
        return [info.version];
      case 'StartTime':
        return [info.startTime];
      case 'CloseTime':
        return info.closeTime === undefined ? [] : [info.closeTime];
      case 'Stuck':
        return [info.stuck !== undefined];
    }
  }
  const sa: SearchAttributeValue | undefined = info.searchAttributes[field.name];
  if (sa?.type !== field.type) return [];
  return Array.isArray(sa.value) ? [...(sa.value as readonly string[])] : [sa.value as ScalarValue];
}

/**
 * Reference semantics of a filter (the memory store uses it; SQL stores must agree):
 * a missing attribute never satisfies a comparison (also not `!=`); on multi-valued fields
 * (KeywordList) a comparison holds if any element satisfies it, except `!=`, which holds
 * when the attribute is set and no element equals the value.
 */
export function evaluateExpr(expr: VisibilityExpr, info: RunInfo): boolean {
  switch (expr.op) {
    case 'and':
      return expr.args.every((a) => evaluateExpr(a, info));
    case 'or':
      return expr.args.some((a) => evaluateExpr(a, info));
    case 'not':
      return !evaluateExpr(expr.arg, info);
    case 'cmp': {
      const values = fieldValues(info, expr.field);
      if (values.length === 0) return false;
      if (expr.cmp === '!=') return values.every((v) => compareScalars(v, expr.value) !== 0);
      return values.some((v) => cmpHolds(expr.cmp, compareScalars(v, expr.value)));
    }
    case 'in': {
      const values = fieldValues(info, expr.field);
      return values.some((v) => expr.values.some((w) => compareScalars(v, w) === 0));
    }
    case 'between': {
      const values = fieldValues(info, expr.field);
      return values.some(
        (v) => compareScalars(v, expr.low) >= 0 && compareScalars(v, expr.high) <= 0,
      );
    }
    case 'contains': {
      if (expr.field.kind !== 'custom') return false;
      const sa = info.searchAttributes[expr.field.name];
      if (sa?.type !== expr.field.type) return false;
      if (sa.type === 'KeywordList') return sa.value.includes(expr.value);
      if (sa.type === 'Text') {
        const have = new Set(tokenizeText(sa.value));
        const want = tokenizeText(expr.value);
        return want.length > 0 && want.every((t) => have.has(t));
      }
      return false;
    }
    case 'exists':
      return (
        fieldValues(info, expr.field).length > 0 ||
        (expr.field.kind === 'custom' &&
          info.searchAttributes[expr.field.name]?.type === expr.field.type)
      );
  }
}

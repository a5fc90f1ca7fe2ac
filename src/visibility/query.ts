/**
 * The visibility query language: a Temporal-like filter text compiled to a
 * {@link VisibilityExpr} every store evaluates. Grammar (keywords case-insensitive):
 *
 * ```
 * query     := [expr] [ORDER BY field [ASC | DESC]]
 * expr      := term (OR term)*
 * term      := factor (AND factor)*
 * factor    := NOT factor | '(' expr ')' | predicate
 * predicate := field ('=' | '!=' | '<>' | '<' | '<=' | '>' | '>=') value
 *            | field [NOT] IN '(' value (',' value)* ')'
 *            | field [NOT] BETWEEN value AND value
 *            | field [NOT] CONTAINS string
 *            | field IS [NOT] NULL
 * value     := 'string' | "string" | number | TRUE | FALSE
 * ```
 */
import type { SearchAttributeType } from '../core/index.js';
import type { FieldRef, OrderField, ScalarValue, VisibilityExpr } from '../store/index.js';
import { parseIsoDatetime } from './datetime.js';
import {
  BUILTIN_FIELDS,
  describeField,
  fieldClass,
  isBuiltinField,
  isOrderField,
  KEYWORDS,
  normalizeStatus,
  ORDER_FIELDS,
  STATUS_NAMES,
  type FieldClass,
} from './fields.js';
import { tokenize, type Token } from './lexer.js';
import { clip, queryError } from './query-error.js';

/** Longest accepted query text, in characters. */
export const MAX_QUERY_LENGTH = 10_000;
/** Deepest accepted nesting of parentheses, NOT and AND/OR levels. */
export const MAX_QUERY_DEPTH = 64;
/** Most values in one IN list. */
export const MAX_IN_VALUES = 1000;

/** A parsed query: the filter and the order, each absent when the text has none. */
export interface VisibilityQuery {
  readonly where?: VisibilityExpr;
  readonly orderBy?: { readonly field: OrderField; readonly direction: 'ASC' | 'DESC' };
}

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'BETWEEN' | 'CONTAINS' | 'IS';

const COMPARISONS: Readonly<Record<string, '=' | '!=' | '<' | '<=' | '>' | '>='>> = {
  '=': '=',
  '!=': '!=',
  '<>': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

const OPERATORS_TEXT =
  '=, !=, <>, <, <=, >, >=, IN, NOT IN, BETWEEN, CONTAINS, IS NULL or IS NOT NULL';

function allowedOperators(cls: FieldClass): readonly Operator[] {
  switch (cls) {
    case 'keyword':
    case 'int':
    case 'double':
    case 'time':
      return ['=', '!=', '<', '<=', '>', '>=', 'IN', 'BETWEEN', 'IS'];
    case 'text':
    case 'list':
      return ['=', '!=', 'IN', 'CONTAINS', 'IS'];
    case 'status':
    case 'bool':
      return ['=', '!=', 'IN', 'IS'];
  }
}

const KEYWORD_SET = new Set<string>(KEYWORDS);

function isKeyword(token: Token, keyword?: (typeof KEYWORDS)[number]): boolean {
  if (token.kind !== 'ident') return false;
  const upper = token.value.toUpperCase();
  return keyword === undefined ? KEYWORD_SET.has(upper) : upper === keyword;
}

function show(token: Token): string {
  return token.kind === 'end' ? 'end of query' : `'${clip(token.text)}'`;
}

/**
 * Parses a visibility query against a namespace's search-attribute schema.
 *
 * Custom attributes must be in `schema` (as listed by `store.listSearchAttributes`); values
 * must suit the field's type. Date-times are ISO-8601 strings (no zone means UTC) or epoch
 * ms; execution statuses accept Temporal spellings (`'Running'`, `'TimedOut'`, …). Without
 * a direction, ORDER BY sorts ascending. Throws `AionError('invalid_argument')` with
 * `details: { field: 'query', position, token }` (0-based offset) and a message pointing at
 * the offending token.
 *
 * @example
 * ```ts
 * const schema = schemaFromDefinitions(await store.listSearchAttributes('default'));
 * const query = parseVisibilityQuery(
 *   "WorkflowType = 'order' AND ExecutionStatus = 'Running' ORDER BY StartTime DESC",
 *   schema,
 * );
 * const page = await store.listRuns({ namespace: 'default', ...query });
 * ```
 */
export function parseVisibilityQuery(
  text: string,
  schema: ReadonlyMap<string, SearchAttributeType>,
): VisibilityQuery {
  if (text.length > MAX_QUERY_LENGTH) {
    throw queryError(
      text,
      MAX_QUERY_LENGTH,
      '',
      `query is ${text.length} characters long; at most ${MAX_QUERY_LENGTH} are accepted`,
    );
  }
  return new Parser(text, tokenize(text), schema).parse();
}

class Parser {
  readonly #text: string;
  readonly #tokens: readonly Token[];
  readonly #schema: ReadonlyMap<string, SearchAttributeType>;
  /** Height of each and/or/not node built so far (leaves are 0). */
  readonly #heights = new WeakMap<VisibilityExpr, number>();
  #index = 0;
  #nesting = 0;

  constructor(
    text: string,
    tokens: readonly Token[],
    schema: ReadonlyMap<string, SearchAttributeType>,
  ) {
    this.#text = text;
    this.#tokens = tokens;
    this.#schema = schema;
  }

  parse(): VisibilityQuery {
    const out: { where?: VisibilityExpr; orderBy?: NonNullable<VisibilityQuery['orderBy']> } = {};
    const first = this.#peek();
    if (first.kind !== 'end' && !isKeyword(first, 'ORDER')) out.where = this.#or();
    if (isKeyword(this.#peek(), 'ORDER')) {
      out.orderBy = this.#orderBy();
      const after = this.#peek();
      if (after.kind !== 'end') throw this.#unexpected(after, 'end of query');
    }
    const rest = this.#peek();
    if (rest.kind !== 'end') throw this.#unexpected(rest, 'AND, OR, ORDER BY or end of query');
    return out;
  }

  // ── tokens and errors ──────────────────────────────────────────────────────────────────

  #peek(): Token {
    return this.#tokens[this.#index]!;
  }

  #next(): Token {
    const token = this.#tokens[this.#index]!;
    if (token.kind !== 'end') this.#index++;
    return token;
  }

  #fail(token: Token, message: string): Error {
    return queryError(this.#text, token.position, token.text, message);
  }

  #unexpected(token: Token, expected: string): Error {
    return this.#fail(
      token,
      `unexpected ${show(token)} at position ${token.position}: expected ${expected}`,
    );
  }

  // ── structure ──────────────────────────────────────────────────────────────────────────

  #node(expr: VisibilityExpr, children: readonly VisibilityExpr[], at: Token): VisibilityExpr {
    const height = 1 + Math.max(...children.map((c) => this.#heights.get(c) ?? 0));
    if (height > MAX_QUERY_DEPTH) throw this.#tooDeep(at);
    this.#heights.set(expr, height);
    return expr;
  }

  #tooDeep(at: Token): Error {
    return this.#fail(
      at,
      `query is nested too deeply at position ${at.position}: at most ${MAX_QUERY_DEPTH} levels of parentheses, NOT, AND and OR`,
    );
  }

  #or(): VisibilityExpr {
    const args = [this.#and()];
    let op: Token | undefined;
    while (isKeyword(this.#peek(), 'OR')) {
      op ??= this.#peek();
      this.#next();
      args.push(this.#and());
    }
    return op === undefined ? args[0]! : this.#node({ op: 'or', args }, args, op);
  }

  #and(): VisibilityExpr {
    const args = [this.#factor()];
    let op: Token | undefined;
    while (isKeyword(this.#peek(), 'AND')) {
      op ??= this.#peek();
      this.#next();
      args.push(this.#factor());
    }
    return op === undefined ? args[0]! : this.#node({ op: 'and', args }, args, op);
  }

  #factor(): VisibilityExpr {
    const token = this.#peek();
    if (isKeyword(token, 'NOT')) {
      this.#next();
      const arg = this.#nested(token, () => this.#factor());
      return this.#node({ op: 'not', arg }, [arg], token);
    }
    if (token.kind === 'punct' && token.value === '(') {
      this.#next();
      return this.#nested(token, () => {
        const inner = this.#or();
        const close = this.#peek();
        if (close.kind !== 'punct' || close.value !== ')') {
          throw this.#unexpected(close, "AND, OR or ')'");
        }
        this.#next();
        return inner;
      });
    }
    if (token.kind === 'ident' && !isKeyword(token)) return this.#predicate();
    throw this.#unexpected(token, "a search attribute name, NOT or '('");
  }

  /** Runs `parse` one nesting level deeper; the limit also keeps recursion off the stack's end. */
  #nested<T>(at: Token, parse: () => T): T {
    if (++this.#nesting > MAX_QUERY_DEPTH) throw this.#tooDeep(at);
    const result = parse();
    this.#nesting--;
    return result;
  }

  // ── predicates ─────────────────────────────────────────────────────────────────────────

  #predicate(): VisibilityExpr {
    const field = this.#field(this.#next());
    const opToken = this.#next();
    const cmp = opToken.kind === 'punct' ? COMPARISONS[opToken.value] : undefined;
    if (cmp !== undefined) {
      this.#allow(field, cmp, opToken);
      const value = this.#value(field);
      // On a keyword list `=` means "has this element", the same as CONTAINS.
      if (cmp === '=' && fieldClass(field) === 'list') {
        return { op: 'contains', field, value: value as string };
      }
      return { op: 'cmp', field, cmp, value };
    }
    if (isKeyword(opToken, 'NOT')) {
      const inner = this.#peek();
      if (
        !isKeyword(inner, 'IN') &&
        !isKeyword(inner, 'BETWEEN') &&
        !isKeyword(inner, 'CONTAINS')
      ) {
        throw this.#unexpected(inner, 'IN, BETWEEN or CONTAINS after NOT');
      }
      const arg = this.#keywordPredicate(field, this.#next());
      return this.#node({ op: 'not', arg }, [arg], opToken);
    }
    if (isKeyword(opToken, 'IS')) {
      this.#allow(field, 'IS', opToken);
      const negated = isKeyword(this.#peek(), 'NOT');
      if (negated) this.#next();
      const nullToken = this.#next();
      if (!isKeyword(nullToken, 'NULL')) {
        throw this.#unexpected(
          nullToken,
          negated ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS',
        );
      }
      const exists: VisibilityExpr = { op: 'exists', field };
      return negated ? exists : this.#node({ op: 'not', arg: exists }, [exists], opToken);
    }
    if (
      isKeyword(opToken, 'IN') ||
      isKeyword(opToken, 'BETWEEN') ||
      isKeyword(opToken, 'CONTAINS')
    ) {
      return this.#keywordPredicate(field, opToken);
    }
    throw this.#unexpected(opToken, `an operator (${OPERATORS_TEXT}) after ${field.name}`);
  }

  /** IN, BETWEEN or CONTAINS (the operator token already consumed). */
  #keywordPredicate(field: FieldRef, opToken: Token): VisibilityExpr {
    const op = opToken.value.toUpperCase() as 'IN' | 'BETWEEN' | 'CONTAINS';
    this.#allow(field, op, opToken);
    switch (op) {
      case 'IN':
        return { op: 'in', field, values: this.#list(field) };
      case 'BETWEEN': {
        const low = this.#value(field);
        const and = this.#next();
        if (!isKeyword(and, 'AND')) throw this.#unexpected(and, 'AND between the BETWEEN bounds');
        const high = this.#value(field);
        return { op: 'between', field, low, high };
      }
      case 'CONTAINS':
        return { op: 'contains', field, value: this.#value(field) as string };
    }
  }

  #list(field: FieldRef): ScalarValue[] {
    const open = this.#next();
    if (open.kind !== 'punct' || open.value !== '(') throw this.#unexpected(open, "'(' after IN");
    const values: ScalarValue[] = [];
    for (;;) {
      if (values.length === MAX_IN_VALUES) {
        throw this.#fail(
          this.#peek(),
          `too many IN values at position ${this.#peek().position}: at most ${MAX_IN_VALUES}`,
        );
      }
      values.push(this.#value(field));
      const sep = this.#next();
      if (sep.kind === 'punct' && sep.value === ')') return values;
      if (sep.kind !== 'punct' || sep.value !== ',') throw this.#unexpected(sep, "',' or ')'");
    }
  }

  #allow(field: FieldRef, op: Operator, at: Token): void {
    const allowed = allowedOperators(fieldClass(field));
    if (allowed.includes(op)) return;
    const list = allowed.map((o) => (o === 'IS' ? 'IS [NOT] NULL' : o)).join(', ');
    throw this.#fail(
      at,
      `operator ${at.text.toUpperCase()} does not apply to ${describeField(field)} at position ${at.position}: use ${list}`,
    );
  }

  // ── fields and values ──────────────────────────────────────────────────────────────────

  #field(token: Token): FieldRef {
    const name = token.value;
    if (isBuiltinField(name)) return { kind: 'builtin', name };
    const type = this.#schema.get(name);
    if (type !== undefined) return { kind: 'custom', name, type };
    const registered = [...this.#schema.keys()].sort();
    const near = [...BUILTIN_FIELDS, ...registered].find(
      (n) => n.toLowerCase() === name.toLowerCase(),
    );
    const shown =
      registered.length > 30
        ? `${registered.slice(0, 30).join(', ')} … (${registered.length - 30} more)`
        : registered.join(', ');
    throw queryError(
      this.#text,
      token.position,
      token.text,
      `unknown search attribute '${clip(name)}' at position ${token.position}: ` +
        (near === undefined ? '' : `did you mean ${near}? `) +
        (registered.length === 0
          ? 'no custom search attributes are registered'
          : `registered search attributes are ${shown}`) +
        `; built-in fields are ${BUILTIN_FIELDS.join(', ')}`,
      { attribute: name },
    );
  }

  #value(field: FieldRef): ScalarValue {
    const token = this.#next();
    const cls = fieldClass(field);
    const literalWord = isKeyword(token, 'TRUE') || isKeyword(token, 'FALSE');
    if (token.kind === 'end' || token.kind === 'punct' || (isKeyword(token) && !literalWord)) {
      throw this.#unexpected(token, `a value for ${describeField(field)}`);
    }
    const mismatch = (wanted: string): Error => {
      const hint =
        token.kind === 'ident' && !isKeyword(token)
          ? ` (quote strings: '${clip(token.text)}')`
          : '';
      return this.#fail(
        token,
        `type mismatch at position ${token.position}: ${describeField(field)} takes ${wanted}, not ${clip(token.text)}${hint}`,
      );
    };
    switch (cls) {
      case 'keyword':
      case 'text':
      case 'list':
        if (token.kind !== 'string') throw mismatch('a quoted string');
        return token.value;
      case 'status': {
        if (token.kind !== 'string') throw mismatch('a quoted execution status');
        const status = normalizeStatus(token.value);
        if (status === undefined) {
          throw this.#fail(
            token,
            `unknown execution status ${clip(token.text)} at position ${token.position}: use one of ${STATUS_NAMES}`,
          );
        }
        return status;
      }
      case 'int': {
        if (token.kind !== 'number') throw mismatch('an integer');
        const n = Number(token.value);
        if (!Number.isInteger(n)) throw mismatch('an integer');
        if (!Number.isSafeInteger(n)) throw mismatch('an integer of at most 2^53 - 1 in magnitude');
        return n;
      }
      case 'double': {
        if (token.kind !== 'number') throw mismatch('a number');
        const n = Number(token.value);
        if (!Number.isFinite(n)) throw mismatch('a finite number');
        return n;
      }
      case 'time': {
        if (token.kind === 'number') {
          const ms = Number(token.value);
          if (!Number.isSafeInteger(ms))
            throw mismatch('an ISO-8601 date-time or integer epoch milliseconds');
          return ms;
        }
        if (token.kind !== 'string')
          throw mismatch("an ISO-8601 date-time such as '2026-01-31T12:00:00Z'");
        const ms = parseIsoDatetime(token.value);
        if (ms === undefined) {
          throw this.#fail(
            token,
            `invalid date-time ${clip(token.text)} at position ${token.position}: use ISO-8601 such as '2026-01-31', '2026-01-31T12:00:00Z' or '2026-01-31T14:00:00+02:00'`,
          );
        }
        return ms;
      }
      case 'bool':
        if (isKeyword(token, 'TRUE')) return true;
        if (isKeyword(token, 'FALSE')) return false;
        throw mismatch('true or false');
    }
  }

  // ── ORDER BY ───────────────────────────────────────────────────────────────────────────

  #orderBy(): NonNullable<VisibilityQuery['orderBy']> {
    this.#next(); // ORDER
    const by = this.#next();
    if (!isKeyword(by, 'BY')) throw this.#unexpected(by, 'BY after ORDER');
    const token = this.#next();
    if (token.kind !== 'ident' || !isOrderField(token.value)) {
      const known =
        token.kind === 'ident' && (isBuiltinField(token.value) || this.#schema.has(token.value));
      throw known
        ? this.#fail(
            token,
            `cannot order by ${token.value} at position ${token.position}: order by ${ORDER_FIELDS.join(', ')}`,
          )
        : this.#unexpected(token, `a field to order by (${ORDER_FIELDS.join(', ')})`);
    }
    const field = token.value;
    const dir = this.#peek();
    if (isKeyword(dir, 'ASC') || isKeyword(dir, 'DESC')) {
      this.#next();
      return { field, direction: dir.value.toUpperCase() as 'ASC' | 'DESC' };
    }
    if (dir.kind !== 'end') throw this.#unexpected(dir, 'ASC, DESC or end of query');
    return { field, direction: 'ASC' };
  }
}

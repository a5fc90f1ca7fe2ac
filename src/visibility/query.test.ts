import { describe, expect, it } from 'vitest';
import { isAionError, type SearchAttributeType } from '../core/index.js';
import {
  validateExpr,
  type FieldRef,
  type ScalarValue,
  type VisibilityExpr,
} from '../store/index.js';
import {
  MAX_IN_VALUES,
  MAX_QUERY_DEPTH,
  MAX_QUERY_LENGTH,
  parseVisibilityQuery,
  type VisibilityQuery,
} from './index.js';

const SCHEMA = new Map<string, SearchAttributeType>([
  ['CustomerId', 'Keyword'],
  ['Tags', 'KeywordList'],
  ['Notes', 'Text'],
  ['Amount', 'Int'],
  ['Score', 'Double'],
  ['Vip', 'Bool'],
  ['Due', 'Datetime'],
]);

const b = (name: Extract<FieldRef, { kind: 'builtin' }>['name']): FieldRef => ({
  kind: 'builtin',
  name,
});
const c = (name: string): FieldRef => ({ kind: 'custom', name, type: SCHEMA.get(name)! });
const cmp = (
  field: FieldRef,
  op: '=' | '!=' | '<' | '<=' | '>' | '>=',
  value: ScalarValue,
): VisibilityExpr => ({ op: 'cmp', field, cmp: op, value });
const and = (...args: VisibilityExpr[]): VisibilityExpr => ({ op: 'and', args });
const or = (...args: VisibilityExpr[]): VisibilityExpr => ({ op: 'or', args });
const not = (arg: VisibilityExpr): VisibilityExpr => ({ op: 'not', arg });

const JAN_1_2026 = Date.UTC(2026, 0, 1);

const parse = (text: string): VisibilityQuery => parseVisibilityQuery(text, SCHEMA);

describe('parseVisibilityQuery: valid queries', () => {
  const cases: [string, VisibilityQuery][] = [
    ['', {}],
    ['   \n\t ', {}],
    [
      "WorkflowType = 'x' AND ExecutionStatus = 'Running' AND StartTime > '2026-01-01T00:00:00Z' AND CustomerId = 'c-1'",
      {
        where: and(
          cmp(b('WorkflowType'), '=', 'x'),
          cmp(b('ExecutionStatus'), '=', 'RUNNING'),
          cmp(b('StartTime'), '>', JAN_1_2026),
          cmp(c('CustomerId'), '=', 'c-1'),
        ),
      },
    ],
    [
      `WorkflowId = 'x' or RunId != "r""1"`,
      { where: or(cmp(b('WorkflowId'), '=', 'x'), cmp(b('RunId'), '!=', 'r"1')) },
    ],
    ["CustomerId <> 'it''s'", { where: cmp(c('CustomerId'), '!=', "it's") }],
    [
      'Amount >= -5 AND Amount < 10 and Score <= 2.25 And Score > -.5',
      {
        where: and(
          cmp(c('Amount'), '>=', -5),
          cmp(c('Amount'), '<', 10),
          cmp(c('Score'), '<=', 2.25),
          cmp(c('Score'), '>', -0.5),
        ),
      },
    ],
    ['Score = 1e3', { where: cmp(c('Score'), '=', 1000) }],
    [
      'Vip = TRUE OR Vip = false OR Stuck = true',
      {
        where: or(cmp(c('Vip'), '=', true), cmp(c('Vip'), '=', false), cmp(b('Stuck'), '=', true)),
      },
    ],
    // AND binds tighter than OR; NOT tighter than AND; parentheses group.
    [
      "TaskQueue = 'a' OR TaskQueue = 'b' AND NOT Version = 'v1'",
      {
        where: or(
          cmp(b('TaskQueue'), '=', 'a'),
          and(cmp(b('TaskQueue'), '=', 'b'), not(cmp(b('Version'), '=', 'v1'))),
        ),
      },
    ],
    [
      "(TaskQueue = 'a' OR TaskQueue = 'b') AND not (Amount = 1)",
      {
        where: and(
          or(cmp(b('TaskQueue'), '=', 'a'), cmp(b('TaskQueue'), '=', 'b')),
          not(cmp(c('Amount'), '=', 1)),
        ),
      },
    ],
    ['((Amount = 1))', { where: cmp(c('Amount'), '=', 1) }],
    [
      "ExecutionStatus IN ('Running', 'completed', 'FAILED', 'Canceled', 'Cancelled', 'Terminated', 'TimedOut', 'continued_as_new', 'Paused')",
      {
        where: {
          op: 'in',
          field: b('ExecutionStatus'),
          values: [
            'RUNNING',
            'COMPLETED',
            'FAILED',
            'CANCELLED',
            'CANCELLED',
            'TERMINATED',
            'TIMED_OUT',
            'CONTINUED_AS_NEW',
            'PAUSED',
          ],
        },
      },
    ],
    [
      "CustomerId NOT IN ('a', 'b')",
      { where: not({ op: 'in', field: c('CustomerId'), values: ['a', 'b'] }) },
    ],
    [
      "StartTime BETWEEN '2026-01-01' AND '2026-01-02T00:00:00.000+00:00' AND Amount BETWEEN 1 AND 2",
      {
        where: and(
          {
            op: 'between',
            field: b('StartTime'),
            low: JAN_1_2026,
            high: JAN_1_2026 + 86_400_000,
          },
          { op: 'between', field: c('Amount'), low: 1, high: 2 },
        ),
      },
    ],
    [
      'Amount NOT BETWEEN 1 AND 2',
      { where: not({ op: 'between', field: c('Amount'), low: 1, high: 2 }) },
    ],
    [
      "Due < '2026-01-01T02:00:00+02:00' AND CloseTime >= 1700000000000",
      {
        where: and(cmp(c('Due'), '<', JAN_1_2026), cmp(b('CloseTime'), '>=', 1_700_000_000_000)),
      },
    ],
    [
      'CloseTime IS NULL AND Vip IS NOT NULL',
      {
        where: and(not({ op: 'exists', field: b('CloseTime') }), { op: 'exists', field: c('Vip') }),
      },
    ],
    [
      "Tags = 'gold' AND Tags != 'eu' AND Tags CONTAINS 'x' AND Notes contains 'rush berlin' AND Notes = 'exact'",
      {
        where: and(
          { op: 'contains', field: c('Tags'), value: 'gold' },
          cmp(c('Tags'), '!=', 'eu'),
          { op: 'contains', field: c('Tags'), value: 'x' },
          { op: 'contains', field: c('Notes'), value: 'rush berlin' },
          cmp(c('Notes'), '=', 'exact'),
        ),
      },
    ],
    [
      "Notes NOT CONTAINS 'spam'",
      { where: not({ op: 'contains', field: c('Notes'), value: 'spam' }) },
    ],
    ['ORDER BY StartTime', { orderBy: { field: 'StartTime', direction: 'ASC' } }],
    [
      "WorkflowType = 'x' order by CloseTime desc",
      {
        where: cmp(b('WorkflowType'), '=', 'x'),
        orderBy: { field: 'CloseTime', direction: 'DESC' },
      },
    ],
    [
      'Amount = 1 ORDER BY WorkflowId ASC',
      { where: cmp(c('Amount'), '=', 1), orderBy: { field: 'WorkflowId', direction: 'ASC' } },
    ],
    ['ORDER BY WorkflowType DESC', { orderBy: { field: 'WorkflowType', direction: 'DESC' } }],
    ["CustomerId = 'ünï ✓ 🎉'", { where: cmp(c('CustomerId'), '=', 'ünï ✓ 🎉') }],
  ];

  it.each(cases)('%s', (text, expected) => {
    const parsed = parse(text);
    expect(parsed).toEqual(expected);
    // Every tree the parser builds is one the stores accept.
    if (parsed.where) validateExpr(parsed.where);
  });

  it('accepts nesting up to the limit', () => {
    const depth = MAX_QUERY_DEPTH - 1;
    const text = `${'('.repeat(depth)}Amount = 1${')'.repeat(depth)}`;
    expect(parse(text)).toEqual({ where: cmp(c('Amount'), '=', 1) });
    const nots = `${'NOT '.repeat(MAX_QUERY_DEPTH)}Amount = 1`;
    let expected: VisibilityExpr = cmp(c('Amount'), '=', 1);
    for (let i = 0; i < MAX_QUERY_DEPTH; i++) expected = not(expected);
    expect(parse(nots)).toEqual({ where: expected });
    validateExpr(parse(nots).where!);
  });

  it('accepts a query of exactly the maximum length', () => {
    const text = `CustomerId = '${'x'.repeat(MAX_QUERY_LENGTH - 15)}'`;
    expect(text.length).toBe(MAX_QUERY_LENGTH);
    expect(parse(text).where).toMatchObject({ op: 'cmp' });
  });

  it('accepts IN lists up to the limit', () => {
    const values = Array.from({ length: MAX_IN_VALUES }, (_, i) => i);
    expect(parse(`Amount IN (${values.join(',')})`).where).toEqual({
      op: 'in',
      field: c('Amount'),
      values,
    });
  });
});

/** Parses `text`, expecting an invalid_argument error; returns message and details. */
function failure(text: string): { message: string; position: unknown; token: unknown } {
  try {
    parse(text);
  } catch (error) {
    if (!isAionError(error)) throw error;
    expect(error.code).toBe('invalid_argument');
    expect(error.details.field).toBe('query');
    return { message: error.message, position: error.details.position, token: error.details.token };
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseVisibilityQuery: invalid queries', () => {
  const cases: [label: string, text: string, token: string, message: RegExp][] = [
    [
      'trailing garbage / misspelt keyword',
      "WorkflowType = 'x' AND CustomerId = 'c' ANDD Amount = 1",
      'ANDD',
      /^unexpected 'ANDD' at position 40: expected AND, OR, ORDER BY or end of query$/m,
    ],
    [
      'unknown attribute',
      "Customer = 'x'",
      'Customer',
      /^unknown search attribute 'Customer' at position 0: registered search attributes are Amount, CustomerId, Due, Notes, Score, Tags, Vip; built-in fields are WorkflowId,/m,
    ],
    [
      'wrong case of a built-in',
      "workflowType = 'x'",
      'workflowType',
      /did you mean WorkflowType\?/,
    ],
    [
      'type mismatch: number for Keyword',
      'CustomerId = 12',
      '12',
      /^type mismatch at position 13: CustomerId \(Keyword\) takes a quoted string, not 12$/m,
    ],
    [
      'type mismatch: unquoted string',
      'WorkflowType = Orders',
      'Orders',
      /takes a quoted string, not Orders \(quote strings: 'Orders'\)/,
    ],
    [
      'type mismatch: decimal for Int',
      'Amount > 1.5',
      '1.5',
      /Amount \(Int\) takes an integer, not 1\.5/,
    ],
    [
      'type mismatch: string for Bool',
      "Vip = 'true'",
      "'true'",
      /Vip \(Bool\) takes true or false/,
    ],
    ['type mismatch in an IN list', "Amount IN (1, 'two')", "'two'", /takes an integer/],
    [
      'unterminated string',
      "WorkflowType = 'x AND Amount = 1",
      "'x AND Amount = 1",
      /^unterminated string starting at position 15: close it with '/m,
    ],
    [
      'unterminated double-quoted string',
      'WorkflowType = "x',
      '"x',
      /unterminated string starting at position 15: close it with "/,
    ],
    [
      'missing operand at the end',
      'Amount >',
      '',
      /^unexpected end of query at position 8: expected a value for Amount \(Int\)$/m,
    ],
    [
      'missing operand before AND',
      'Amount = AND Vip = true',
      'AND',
      /^unexpected 'AND' at position 9: expected a value for Amount/m,
    ],
    [
      'missing right-hand predicate',
      "WorkflowType = 'x' AND",
      '',
      /^unexpected end of query at position 22: expected a search attribute name, NOT or '\('$/m,
    ],
    ['missing operator', 'Amount 5', '5', /^unexpected '5' at position 7: expected an operator/m],
    [
      'bad date',
      "StartTime > '2026-02-30T00:00:00Z'",
      "'2026-02-30T00:00:00Z'",
      /^invalid date-time '2026-02-30T00:00:00Z' at position 12: use ISO-8601/m,
    ],
    ['not a date', "Due = 'yesterday'", "'yesterday'", /invalid date-time 'yesterday'/],
    [
      'bad hour',
      "CloseTime < '2026-01-01T24:00:00Z'",
      "'2026-01-01T24:00:00Z'",
      /invalid date-time/,
    ],
    [
      'unknown status',
      "ExecutionStatus = 'Runing'",
      "'Runing'",
      /unknown execution status 'Runing' at position 18: use one of Running, Paused/,
    ],
    [
      'a name every object has is no status',
      "ExecutionStatus = 'constructor'",
      "'constructor'",
      /unknown execution status 'constructor' at position 18: use one of Running, Paused, Completed, Failed, Canceled, Terminated, TimedOut, ContinuedAsNew$/m,
    ],
    [
      'ordering operator on a KeywordList',
      "Tags > 'a'",
      '>',
      /^operator > does not apply to Tags \(KeywordList\) at position 5: use =, !=, IN, CONTAINS, IS \[NOT\] NULL$/m,
    ],
    [
      'CONTAINS on a Keyword',
      "CustomerId CONTAINS 'a'",
      'CONTAINS',
      /does not apply to CustomerId/,
    ],
    ['BETWEEN on a status', "ExecutionStatus BETWEEN 'a' AND 'b'", 'BETWEEN', /does not apply/],
    [
      'BETWEEN without AND',
      'Amount BETWEEN 1 OR 2',
      'OR',
      /expected AND between the BETWEEN bounds/,
    ],
    ['IN without parentheses', 'Amount IN 1', '1', /expected '\(' after IN/],
    ['empty IN list', 'Amount IN ()', ')', /expected a value for Amount/],
    ['unclosed IN list', 'Amount IN (1, 2', '', /expected ',' or '\)'/],
    ['IS without NULL', 'Amount IS 1', '1', /expected NULL or NOT NULL after IS/],
    [
      'NOT before a comparison operator',
      'Amount NOT = 1',
      '=',
      /expected IN, BETWEEN or CONTAINS after NOT/,
    ],
    ['unbalanced open parenthesis', '(Amount = 1', '', /expected AND, OR or '\)'/],
    [
      'unbalanced close parenthesis',
      'Amount = 1)',
      ')',
      /expected AND, OR, ORDER BY or end of query/,
    ],
    ['empty parentheses', '()', ')', /expected a search attribute name, NOT or '\('/],
    ['keyword as a field', "AND = 'x'", 'AND', /expected a search attribute name/],
    [
      'unexpected character',
      'Amount = 1 & Vip = true',
      '&',
      /unexpected character '&' at position 11/,
    ],
    ['malformed number', 'Amount = 12abc', '12abc', /invalid number '12abc' at position 9/],
    ['ORDER without BY', 'ORDER StartTime', 'StartTime', /expected BY after ORDER/],
    [
      'ORDER BY an unsortable field',
      'ORDER BY Amount',
      'Amount',
      /cannot order by Amount at position 9: order by StartTime, CloseTime, WorkflowId, WorkflowType/,
    ],
    [
      'ORDER BY with a bad direction',
      'ORDER BY StartTime DOWN',
      'DOWN',
      /expected ASC, DESC or end of query/,
    ],
    ['text after ORDER BY', 'ORDER BY StartTime ASC Amount = 1', 'Amount', /expected end of query/],
    [
      'ORDER BY before the filter',
      "ORDER BY StartTime WorkflowType = 'x'",
      'WorkflowType',
      /expected ASC, DESC/,
    ],
  ];

  it.each(cases)('%s', (_label, text, token, message) => {
    const error = failure(text);
    expect(error.token).toBe(token);
    expect(error.message).toMatch(message);
    // The position is a 0-based offset of the token, which the message also states.
    const position = error.position as number;
    expect(token === '' ? position === text.length : text.startsWith(token, position)).toBe(true);
    expect(error.message.split('\n')[0]).toContain(`position ${position}`);
  });

  it('shows the query with carets under the offending token', () => {
    const { message } = failure("WorkflowType = 'x' ANDD StartTime > 5");
    expect(message).toBe(
      [
        "unexpected 'ANDD' at position 19: expected AND, OR, ORDER BY or end of query",
        "  WorkflowType = 'x' ANDD StartTime > 5",
        '                     ^^^^',
      ].join('\n'),
    );
  });

  it('clips the excerpt of a long query around the token and keeps carets aligned over line breaks', () => {
    const text = `${"CustomerId = 'a' OR\n".repeat(20)}Bogus = 1 OR ${"CustomerId = 'b' OR ".repeat(20)}Amount = 1`;
    const { message, position } = failure(text);
    const [, line, carets] = message.split('\n');
    expect(line!.startsWith('  …')).toBe(true);
    expect(line!.endsWith('…')).toBe(true);
    expect(line).not.toContain('\n');
    expect(line!.slice(carets!.indexOf('^'))).toMatch(/^Bogus/);
    expect(carets!.trim()).toBe('^^^^^');
    expect(position).toBe(text.indexOf('Bogus'));
  });

  it('refuses nesting past the limit without overflowing the stack', () => {
    const deep = `${'('.repeat(MAX_QUERY_DEPTH + 1)}Amount = 1${')'.repeat(MAX_QUERY_DEPTH + 1)}`;
    expect(failure(deep).message).toMatch(/^query is nested too deeply at position 64/m);
    const huge = `${'('.repeat(4000)}Amount = 1${')'.repeat(4000)}`;
    expect(failure(huge).message).toMatch(/nested too deeply/);
    const nots = `${'NOT '.repeat(MAX_QUERY_DEPTH + 1)}Amount = 1`;
    expect(failure(nots).message).toMatch(/nested too deeply/);
  });

  it('refuses trees deeper than the stores accept even with few parentheses per level', () => {
    // Each level adds an OR and an AND node: 40 levels of parentheses are 80 levels of tree.
    let text = 'Amount = 0';
    for (let i = 1; i <= 40; i++) text = `Amount = ${i} OR Vip = true AND (${text})`;
    expect(failure(text).message).toMatch(/nested too deeply/);
  });

  it('refuses a query longer than the maximum', () => {
    const text = `CustomerId = '${'x'.repeat(MAX_QUERY_LENGTH)}'`;
    const error = failure(text);
    expect(error.message).toMatch(
      new RegExp(`^query is ${text.length} characters long; at most ${MAX_QUERY_LENGTH}`),
    );
    expect(error.position).toBe(MAX_QUERY_LENGTH);
  });

  it('refuses more IN values than the stores accept', () => {
    const values = Array.from({ length: MAX_IN_VALUES + 1 }, (_, i) => i);
    expect(failure(`Amount IN (${values.join(',')})`).message).toMatch(/too many IN values/);
  });

  it('says when no custom attributes are registered', () => {
    try {
      parseVisibilityQuery("CustomerId = 'x'", new Map());
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(
        /unknown search attribute 'CustomerId' at position 0: no custom search attributes are registered/,
      );
    }
  });
});

import { describe, expect, it } from 'vitest';
import { composeQuery, prefixClause, splitOrderBy, type Filters } from './compose.js';
import { suggest } from './suggest.js';

const none: Filters = { query: '', statuses: [], type: '', within: '', prefix: '' };
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('the list query from the filters', () => {
  it('joins the box and the chips with AND and keeps ORDER BY last', () => {
    expect(
      composeQuery(
        {
          ...none,
          query: "CustomerId = 'c-1' OR Amount > 5 ORDER BY StartTime",
          statuses: ['RUNNING', 'TIMED_OUT'],
          type: 'order',
        },
        NOW,
      ),
    ).toBe(
      "(CustomerId = 'c-1' OR Amount > 5) AND ExecutionStatus IN ('Running', 'TimedOut') AND WorkflowType = 'order' ORDER BY StartTime",
    );
    expect(composeQuery({ ...none, within: '1h' }, NOW)).toBe(
      "StartTime > '2026-03-01T11:00:00.000Z'",
    );
    expect(composeQuery({ ...none, statuses: ['FAILED'] }, NOW, true)).toBe('');
  });

  it('finds ORDER BY only outside strings', () => {
    expect(splitOrderBy("Note = 'order by x' ORDER BY WorkflowId DESC")).toEqual({
      where: "Note = 'order by x'",
      orderBy: 'ORDER BY WorkflowId DESC',
    });
    expect(splitOrderBy('ORDER BY WorkflowId')).toEqual({
      where: '',
      orderBy: 'ORDER BY WorkflowId',
    });
  });

  it('searches an id prefix as a range (strings compare by code point) and quotes it', () => {
    expect(prefixClause('order-1')).toBe("WorkflowId >= 'order-1' AND WorkflowId < 'order-2'");
    expect(prefixClause("it's")).toBe("WorkflowId >= 'it''s' AND WorkflowId < 'it''t'");
  });
});

describe('query completion', () => {
  const ctx = {
    fields: ['WorkflowType', 'ExecutionStatus', 'CustomerId'],
    workflowTypes: ['order', 'ship'],
  };
  it('offers field names, then values of ExecutionStatus and WorkflowType', () => {
    expect(suggest('Exec', 4, ctx).map((s) => s.label)).toEqual(['ExecutionStatus']);
    const values = suggest("ExecutionStatus = 'ru", 21, ctx);
    expect(values.map((s) => s.insert)).toEqual(["'Running'"]);
    expect(values[0]?.from).toBe(18);
    expect(suggest("WorkflowType IN ('order', ", 26, ctx).map((s) => s.label)).toEqual([
      'order',
      'ship',
    ]);
    expect(suggest("CustomerId = 'x' an", 19, ctx).map((s) => s.label)).toEqual(['AND']);
  });
});

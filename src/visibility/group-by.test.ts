import { describe, expect, it } from 'vitest';
import { splitGroupBy } from './group-by.js';

describe('splitGroupBy', () => {
  it('splits a trailing GROUP BY, keywords in any case', () => {
    expect(splitGroupBy("WorkflowType = 'a' GROUP BY ExecutionStatus")).toEqual({
      query: "WorkflowType = 'a' ",
      groupBy: 'ExecutionStatus',
    });
    expect(splitGroupBy('group by WorkflowType')).toEqual({ query: '', groupBy: 'WorkflowType' });
    expect(splitGroupBy("X = 'a' ORDER BY StartTime group By Foo")).toEqual({
      query: "X = 'a' ORDER BY StartTime ",
      groupBy: 'Foo',
    });
  });

  it('leaves anything else whole for the parser', () => {
    for (const text of [
      "WorkflowType = 'GROUP BY ExecutionStatus'",
      'GROUP BY',
      'GROUP BY ExecutionStatus, WorkflowType',
      "GROUP BY ExecutionStatus AND WorkflowType = 'a'",
      '',
    ]) {
      expect(splitGroupBy(text)).toEqual({ query: text });
    }
  });
});

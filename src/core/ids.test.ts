import { describe, expect, it } from 'vitest';
import { validateNamespace, validateRunId, validateWorkflowId } from './ids.js';

describe('ids', () => {
  it('accepts valid ids', () => {
    expect(validateNamespace('default')).toBe('default');
    expect(validateWorkflowId('order-42/ä')).toBe('order-42/ä');
    expect(validateRunId('0f8fad5b-d9cb-469f-a165-70867728950e')).toBeTruthy();
  });

  it('rejects invalid ids with invalid_argument naming the field', () => {
    for (const [fn, value, field] of [
      [validateNamespace, 'Default', 'namespace'],
      [validateNamespace, '', 'namespace'],
      [validateWorkflowId, '', 'workflowId'],
      [validateWorkflowId, 'a\nb', 'workflowId'],
      [validateWorkflowId, 'x'.repeat(1001), 'workflowId'],
      [validateRunId, 'not-a-uuid', 'runId'],
      [validateRunId, 42, 'runId'],
    ] as const) {
      expect(() => fn(value)).toThrowError(
        expect.objectContaining({ code: 'invalid_argument', details: { field } }),
      );
    }
  });
});

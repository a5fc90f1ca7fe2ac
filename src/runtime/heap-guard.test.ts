import { describe, expect, it } from 'vitest';
import { HeapBudgetExceeded, HeapGuard, STEPS_PER_CHECK } from './heap-guard.js';

describe('heap guard', () => {
  it('checks the heap every few steps, and at once when asked', () => {
    // A cap no heap fits under: every check that reads the heap throws.
    const guard = new HeapGuard(1024, 0.4);
    for (let i = 1; i < STEPS_PER_CHECK; i++) guard.step();
    expect(() => guard.step()).toThrow(HeapBudgetExceeded);
    // The count starts again after a check.
    for (let i = 1; i < STEPS_PER_CHECK; i++) guard.step();
    expect(() => guard.step()).toThrow(HeapBudgetExceeded);
    expect(() => guard.check()).toThrow(HeapBudgetExceeded);
  });

  it('lets steps through while the live heap is under the budget', () => {
    const guard = new HeapGuard(64 * 1024 ** 3, 0.4);
    for (let i = 0; i < 4 * STEPS_PER_CHECK; i++) guard.step();
    expect(() => guard.check()).not.toThrow();
  });
});

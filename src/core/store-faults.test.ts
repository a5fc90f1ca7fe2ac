import { describe, expect, it } from 'vitest';
import { AionError } from './errors.js';
import {
  backoffDelay,
  isTransientStoreError,
  STORE_RETRY_BACKOFF,
  storeErrorCode,
} from './store-faults.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, jitter taking off at most half', () => {
    const top = (n: number) => backoffDelay(n, STORE_RETRY_BACKOFF, () => 0);
    const bottom = (n: number) => backoffDelay(n, STORE_RETRY_BACKOFF, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map(top)).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000,
    ]);
    expect(bottom(1)).toBe(50);
    expect(bottom(100)).toBe(2500);
  });
});

describe('isTransientStoreError', () => {
  it('retries an unreachable, busy or full store, not a refusal or a closed store', () => {
    const unavailable = new AionError('store_unavailable', 'down', { sqlState: 'ECONNREFUSED' });
    expect(isTransientStoreError(unavailable)).toBe(true);
    expect(
      isTransientStoreError(new AionError('store_unavailable', 'closed', { closed: true })),
    ).toBe(false);
    expect(isTransientStoreError(new AionError('internal', 'bug'))).toBe(false);
    expect(isTransientStoreError(new AionError('history_too_large', 'too long'))).toBe(false);
    expect(isTransientStoreError(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isTransientStoreError(Object.assign(new Error('x'), { code: 'SQLITE_FULL' }))).toBe(
      true,
    );
    expect(isTransientStoreError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientStoreError(new Error('syntax error'))).toBe(false);
    expect(storeErrorCode(unavailable)).toBe('ECONNREFUSED');
    expect(storeErrorCode(new AionError('internal', 'bug'))).toBe('internal');
  });
});

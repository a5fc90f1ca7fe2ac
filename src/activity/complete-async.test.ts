import { describe, expect, it } from 'vitest';
import { isAionError } from '../core/index.js';
import {
  CompleteAsyncError,
  decodeTaskToken,
  encodeTaskToken,
  isCompleteAsyncError,
} from './complete-async.js';

const fields = {
  namespace: 'default',
  workflowId: 'order-42 ✓',
  runId: 'run-1',
  activityId: '3',
  attempt: 2,
};

function expectBadToken(token: unknown): void {
  try {
    decodeTaskToken(token as string);
  } catch (err) {
    expect(isAionError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('invalid_argument');
    expect((err as Error).message).toMatch(/invalid task token/);
    return;
  }
  expect.fail(`token ${JSON.stringify(token)} was accepted`);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('task tokens', () => {
  it('round-trips and is URL-safe', () => {
    const token = encodeTaskToken(fields);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTaskToken(token)).toEqual(fields);
  });

  it('differs per attempt', () => {
    expect(encodeTaskToken(fields)).not.toBe(encodeTaskToken({ ...fields, attempt: 3 }));
  });

  it('rejects garbage', () => {
    expectBadToken('');
    expectBadToken(42);
    expectBadToken('not a token!');
    expectBadToken(Buffer.from('not json').toString('base64url'));
    expectBadToken(b64([1, 2]));
    expectBadToken(b64({ v: 2, ns: 'a', wf: 'b', run: 'c', act: 'd', att: 1 }));
    expectBadToken(b64({ v: 1, ns: 'a', wf: 'b', run: 'c', act: 'd', att: 0 }));
    expectBadToken(b64({ v: 1, ns: 'a', wf: '', run: 'c', act: 'd', att: 1 }));
    expectBadToken(b64({ v: 1, ns: 'a', wf: 'b', act: 'd', att: 1 }));
    expectBadToken('A'.repeat(10_000));
  });

  it('refuses to encode incomplete fields', () => {
    expect(() => encodeTaskToken({ ...fields, runId: '' })).toThrow(/runId/);
    expect(() => encodeTaskToken({ ...fields, attempt: 0 })).toThrow(/attempt/);
  });
});

describe('CompleteAsyncError', () => {
  it('is recognised by its brand, not by class identity', () => {
    expect(isCompleteAsyncError(new CompleteAsyncError())).toBe(true);
    expect(isCompleteAsyncError({ [Symbol.for('aion.completeAsync')]: true })).toBe(true);
    expect(isCompleteAsyncError(new Error('CompleteAsyncError'))).toBe(false);
    expect(isCompleteAsyncError(null)).toBe(false);
  });
});

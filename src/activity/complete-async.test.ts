import { describe, expect, it } from 'vitest';
import { isAionError } from '../core/index.js';
import {
  CompleteAsyncError,
  decodeTaskToken,
  encodeTaskToken,
  isCompleteAsyncError,
} from './complete-async.js';
import { signTaskToken, verifyTaskToken } from './token-signing.js';

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
    expectBadToken(b64({ v: 3, ns: 'a', wf: 'b', run: 'c', act: 'd', att: 1 }));
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

describe('signed task tokens', () => {
  const keys = new Map([
    ['k1', Buffer.alloc(32, 1)],
    ['k2', Buffer.alloc(32, 2)],
  ]);
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (err) {
      return (err as { code?: string }).code;
    }
    return undefined;
  };

  it('verify with any live key, and only unaltered tokens', () => {
    const token = signTaskToken(fields, { id: 'k1', key: keys.get('k1')! });
    expect(verifyTaskToken(token, keys)).toEqual(fields);
    expect(decodeTaskToken(token)).toEqual(fields);
    const [payload, signature] = token.split('.');
    const other = signTaskToken({ ...fields, attempt: 3 }, { id: 'k1', key: keys.get('k1')! });
    const spliced = `${other.split('.')[0]!}.${signature!}`;
    expect(codeOf(() => verifyTaskToken(spliced, keys))).toBe('task_token_invalid');
    expect(codeOf(() => verifyTaskToken(payload!, keys))).toBe('task_token_invalid');
    expect(codeOf(() => verifyTaskToken(encodeTaskToken(fields), keys))).toBe('task_token_invalid');
    const byOldKey = signTaskToken(fields, { id: 'k2', key: keys.get('k2')! });
    expect(verifyTaskToken(byOldKey, keys)).toEqual(fields);
    expect(codeOf(() => verifyTaskToken(byOldKey, new Map([['k1', keys.get('k1')!]])))).toBe(
      'task_token_invalid',
    );
    const wrongKey = signTaskToken(fields, { id: 'k1', key: Buffer.alloc(32, 9) });
    expect(codeOf(() => verifyTaskToken(wrongKey, keys))).toBe('task_token_invalid');
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

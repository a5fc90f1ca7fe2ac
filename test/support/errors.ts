import { AionError } from '../../src/index.js';

/** The `AionError` code `fn` rejects with, or `'ok'` when it resolves; other errors rethrow. */
export async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AionError) return e.code;
    throw e;
  }
  return 'ok';
}

/** What `promise` rejects with; fails the test when it resolves. */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

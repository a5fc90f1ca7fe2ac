// `assert/strict` (and `node:assert/strict`): the strict assertion functions (see assert.ts).
import { strict } from './assert.js';

export {
  AssertionError,
  deepStrictEqual,
  deepStrictEqual as deepEqual,
  doesNotMatch,
  doesNotReject,
  doesNotThrow,
  fail,
  ifError,
  match,
  notDeepStrictEqual,
  notDeepStrictEqual as notDeepEqual,
  notStrictEqual,
  notStrictEqual as notEqual,
  ok,
  rejects,
  strictEqual,
  strictEqual as equal,
  throws,
  strict,
} from './assert.js';

export default strict;

/**
 * `aion/activity` — the light entry for activity code (loads neither SQLite nor esbuild).
 */
export type { Failure, RetryPolicy } from '../core/index.js';

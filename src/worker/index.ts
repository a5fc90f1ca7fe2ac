/** `aion/worker` — the remote worker SDK. */
export type { RetryPolicy, Failure } from '../core/index.js';

// The activity machinery the rest of the package uses (engine, remote worker): the executor,
// attempt types, task tokens, log sinks, retry policy. `index.ts` is the public `aion/activity`.
export * from './attempt-failures.js';
export * from './complete-async.js';
export * from './context.js';
export * from './executor.js';
export * from './log.js';
export * from './retry-policy.js';
export * from './token-signing.js';
export type * from './types.js';

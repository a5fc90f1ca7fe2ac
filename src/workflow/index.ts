/**
 * `aion/workflow` — the authoring API imported by workflow code (runs inside the sandbox).
 * It may import only `src/core`.
 */
export type { Payload, Failure, RetryPolicy, ParentClosePolicy, WorkflowStatus } from '../core/index.js';

/** `aion/client` — the client SDK types shared by the in-process and remote clients. */
export { AionError, isAionError, ERROR_CODES } from '../core/index.js';
export type { ErrorCode, WorkflowStatus, Payload, Failure } from '../core/index.js';

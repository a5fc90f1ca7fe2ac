/** Wire schemas shared by the server, the client SDK and remote workers. */
export * from './event-stream.js';
export { NEW_REQUEST_ID_HEADER } from './http-headers.js';
// The worker protocol, listed by name: its `ErrorFrame` differs from the event stream's.
export {
  WORKER_PROTOCOL_PATH,
  frameText,
  parseServerFrame,
  parseWorkerFrame,
  type AckFrame,
  type CancelFrame,
  type HeartbeatAckFrame,
  type HeartbeatFrame,
  type RegisterFrame,
  type RegisteredFrame,
  type ResultFrame,
  type ServerDrainFrame,
  type ServerFrame,
  type TaskFrame,
  type WorkerDrainFrame,
  type WorkerFrame,
} from './worker.js';
export {
  FrameSender,
  MAX_BATCH_BYTES,
  MAX_BATCH_FRAMES,
  parseServerMessage,
  parseWorkerMessage,
  type SendMessage,
} from './batch.js';

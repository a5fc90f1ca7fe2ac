/**
 * Entry of the workflow thread: holds package sandboxes and run instances, and executes
 * activations, replays and queries on request. Workflow code never runs on the engine's main
 * thread, so a deadlocked workflow can be stopped by terminating this thread — which is safe
 * whatever async hooks the host process uses.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createThreadRequestHandler } from './request-handler.js';
import type { WorkerLogMessage, WorkerRequest } from './worker-protocol.js';

const port = parentPort!;
const data = workerData as
  { progress?: SharedArrayBuffer; heapLimitMb?: number; deadlockTimeoutMs?: number } | undefined;
const respond = createThreadRequestHandler({
  ...(data?.progress ? { progress: data.progress } : {}),
  ...(data?.heapLimitMb !== undefined ? { heapLimitMb: data.heapLimitMb } : {}),
  ...(data?.deadlockTimeoutMs !== undefined ? { deadlockTimeoutMs: data.deadlockTimeoutMs } : {}),
  onLog: (log) => port.postMessage({ log } satisfies WorkerLogMessage),
  // The host's watchdog replaces this thread when workflow code never returns (module top
  // levels and dispose interceptors included): no vm watchdog thread per evaluation.
  ...(data?.progress ? { vmWatchdog: false } : {}),
});

// The engine sends one request at a time and waits for its answer.
port.on('message', (req: WorkerRequest) => {
  void respond(req).then((res) => port.postMessage(res));
});

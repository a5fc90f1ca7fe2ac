// Remote workers: per-namespace dispatchers of activity tasks to connected worker sessions;
// and the engine's own activity worker, described like them.
export { RemoteWorkers } from './remote-workers.js';
export { embeddedWorkerSnapshot, type EmbeddedWorkerSnapshot } from './embedded-worker.js';

// Remote workers: per-namespace dispatchers of activity tasks to connected worker sessions.
export { RemoteWorkers } from './remote-workers.js';

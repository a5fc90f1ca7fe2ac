// Dispatch of activity tasks to remote workers connected through the server's worker
// endpoint: the registry and dispatcher, and the types the server and worker SDK see.
export { RemoteActivities } from './remote-activities.js';
export type {
  RemoteOutcome,
  RemoteTask,
  TaskQueueOptions,
  TaskQueueSnapshot,
  WorkerRegistration,
  WorkerSession,
  WorkerSink,
  WorkerSnapshot,
} from './types.js';

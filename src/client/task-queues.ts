// Task queues over the API: each queue's stored task counts and the workers serving it
// (`GET {ns}/task-queues`; the types are the server's, from core).
import type { TaskQueueInfo, TaskQueueListing } from '../core/index.js';
import type { Connection } from './connection.js';
import { namespacePath } from './wire.js';

export type { TaskQueueInfo, TaskQueueWorkerInfo } from '../core/index.js';

export async function listTaskQueues(c: Connection, namespace: string): Promise<TaskQueueInfo[]> {
  const path = `${namespacePath(namespace)}/task-queues`;
  return [...(await c.request<TaskQueueListing>('GET', path)).taskQueues];
}

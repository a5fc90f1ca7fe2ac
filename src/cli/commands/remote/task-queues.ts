// `aion task-queue list`: the namespace's task queues with their task counts and the workers
// serving each (remote workers connected to the server, and the server's own).
import type { Command } from 'commander';
import type { TaskQueueInfo } from '../../../core/index.js';
import { printResult, type CliIo } from '../../output.js';
import { jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { table } from './format.js';
import { withTaskQueues } from './task-queue-listing.js';
import { workersTable } from './workers.js';

function taskQueuesText(namespace: string, queues: readonly TaskQueueInfo[]): string {
  if (queues.length === 0) return `no task queues with tasks or workers in namespace ${namespace}`;
  const summary = table(
    ['TASK QUEUE', 'WORKERS', 'BACKLOG', 'RUNNING', 'SCHEDULED'],
    queues.map((q) => [
      q.name,
      String(q.workers.length),
      String(q.backlog),
      String(q.running),
      String(q.scheduled),
    ]),
  );
  const workers = queues.flatMap((q) =>
    q.workers.map((w) => ({
      ...w,
      identity: w.embedded ? `${w.identity} (server)` : w.identity,
      taskQueue: q.name,
    })),
  );
  if (workers.length === 0) return `${summary}\n\nno workers`;
  const detail = workersTable(workers);
  return `${summary}\n\n${detail}`;
}

/** `aion task-queue list`. */
export function registerTaskQueueCommands(program: Command, io: CliIo): void {
  const json = jsonFlag(program);
  const taskQueue = program
    .command('task-queue')
    .description('task queues: activity task counts and the workers serving them');
  withRemote(
    taskQueue
      .command('list')
      .description('list the task queues with tasks or workers, with their workers'),
  ).action((flags: RemoteFlags) =>
    withTaskQueues(flags, (listing) =>
      printResult(io, json(), listing, () => taskQueuesText(listing.namespace, listing.taskQueues)),
    ),
  );
}

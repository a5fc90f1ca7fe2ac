// `aion workers`: the remote workers connected to a namespace, per task queue, with each
// queue's dispatch state and stored task counts. It reads the same listing as `aion
// task-queue list` (GET {ns}/task-queues) and shows it as `GET {ns}/workers` shapes it.
import type { Command } from 'commander';
import {
  workersListing,
  type ConnectedWorkerInfo,
  type WorkersListing,
} from '../../../core/index.js';
import { printResult, type CliIo } from '../../output.js';
import { jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { date, table } from './format.js';
import { withTaskQueues } from './task-queue-listing.js';

function workersText(listing: WorkersListing): string {
  if (listing.taskQueues.length === 0 && listing.workers.length === 0)
    return `no workers connected and no activity tasks in namespace ${listing.namespace}`;
  const queues = table(
    ['TASK QUEUE', 'WORKERS', 'IN FLIGHT', 'BACKLOG', 'RUNNING', 'SCHEDULED'],
    listing.taskQueues.map((q) => [
      q.name,
      String(listing.workers.filter((w) => w.taskQueue === q.name).length),
      String(q.inFlight ?? 0),
      String(q.backlog),
      String(q.running),
      String(q.scheduled),
    ]),
  );
  if (listing.workers.length === 0) return `${queues}\n\nno workers connected`;
  return `${queues}\n\n${workersTable(listing.workers)}`;
}

/** A worker row of `aion workers` and `aion task-queue list`. */
export type WorkerRow = Pick<
  ConnectedWorkerInfo,
  'identity' | 'taskQueue' | 'activityTypes' | 'maxConcurrent' | 'inFlight' | 'draining'
> & { readonly connectedAt: number | string };

/** The workers as a table: identity, queue, slots in use, state, connection time, types. */
export function workersTable(workers: readonly WorkerRow[]): string {
  return table(
    ['WORKER', 'TASK QUEUE', 'IN FLIGHT', 'STATE', 'CONNECTED', 'ACTIVITIES'],
    workers.map((w) => [
      w.identity,
      w.taskQueue,
      `${w.inFlight}/${w.maxConcurrent}`,
      w.draining ? 'draining' : 'ready',
      date(new Date(w.connectedAt)),
      w.activityTypes.join(',') || '-',
    ]),
  );
}

/** `aion workers`. */
export function registerWorkersCommand(program: Command, io: CliIo): void {
  const json = jsonFlag(program);
  withRemote(
    program
      .command('workers')
      .description('list the remote workers connected to the namespace, per task queue'),
  ).action((flags: RemoteFlags) =>
    withTaskQueues(flags, (listing) => {
      const workers = workersListing(listing);
      printResult(io, json(), workers, () => workersText(workers));
    }),
  );
}

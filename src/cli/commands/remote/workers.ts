// `aion workers`: the remote workers connected to a namespace, per task queue, with each
// queue's dispatch state and stored task counts (GET /api/v1/namespaces/:ns/workers).
import type { Command } from 'commander';
import { printResult, withHints, type CliIo } from '../../output.js';
import { clientFor, jsonFlag, withRemote, type RemoteFlags } from './connect.js';
import { date, table } from './format.js';

/** One connected worker, as the server lists it. */
interface WorkerInfo {
  readonly id: string;
  readonly identity: string;
  readonly taskQueue: string;
  readonly activityTypes: readonly string[];
  readonly maxConcurrent: number;
  readonly inFlight: number;
  readonly draining: boolean;
  /** Epoch milliseconds. */
  readonly connectedAt: number;
}

/** A task queue with workers or tasks: dispatch state (when it has workers) and task counts. */
interface TaskQueueInfo {
  readonly name: string;
  readonly inFlight?: number;
  readonly maxConcurrent?: number;
  readonly maxPerSecond?: number;
  readonly backlog: number;
  readonly running: number;
  readonly scheduled: number;
}

interface WorkersListing {
  readonly namespace: string;
  readonly workers: readonly WorkerInfo[];
  readonly taskQueues: readonly TaskQueueInfo[];
}

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
  WorkerInfo,
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
  ).action(async (flags: RemoteFlags) =>
    withHints(
      {
        not_found:
          'check --namespace (env AION_NAMESPACE); `aion namespace list` shows the namespaces',
      },
      async () => {
        const client = await clientFor(flags);
        const listing = await client.connection.request<WorkersListing>(
          'GET',
          `/api/v1/namespaces/${encodeURIComponent(client.namespace)}/workers`,
        );
        printResult(io, json(), listing, () => workersText(listing));
      },
    ),
  );
}

// `aion bench --address …`: the scenarios against a running server, in a namespace of their
// own. This process deploys the bench workflows there, serves their activity with an
// in-process remote worker (`aion/worker`), drives the runs with the remote client, and
// cleans up at the end — also after a failure or Ctrl-C — as far as the API allows.
import { Client, Connection } from '../../client/index.js';
import { buildPackage } from '../../package/index.js';
import { Worker } from '../../worker/index.js';
import { BENCH_TASK_QUEUE, benchActivities, benchWorkflowsPath } from './activities.js';
import { benchSuffix, type BenchTarget } from './scenarios.js';

/** Closed runs of the bench namespace are deleted this long after they close (the minimum). */
export const BENCH_RETENTION_MS = 60_000;
/** Workflows in flight at once over the API. */
const WINDOW = 100;
const REGISTER_DEADLINE_MS = 30_000;

export interface RemoteFlagsOfBench {
  readonly address: string;
  readonly apiKey?: string;
}

/** What cleaning up did. */
export interface RemoteCleanup {
  readonly namespace: string;
  readonly ok: boolean;
  /** Runs still open at the end that were terminated. */
  readonly terminated: number;
  /** What could not be done, if anything. */
  readonly errors: readonly string[];
}

export interface RemoteBench {
  readonly target: BenchTarget;
  readonly namespace: string;
  /** Stops the worker and terminates open runs; never throws. Idempotent. */
  cleanup(): Promise<RemoteCleanup>;
}

/** Creates the bench namespace, deploys the bench package and starts the worker. */
export async function openRemoteBench(
  flags: RemoteFlagsOfBench,
  onNamespace: (name: string) => void,
): Promise<RemoteBench> {
  const apiKey = flags.apiKey ?? process.env.AION_API_KEY;
  const connection = await Connection.connect({
    address: flags.address,
    ...(apiKey ? { apiKey } : {}),
  });
  const namespace = `aion-bench-${benchSuffix()}`;
  const admin = new Client({ connection });
  await admin.createNamespace(namespace, {
    description: 'aion bench: temporary; its runs are deleted one minute after they close',
    retention: BENCH_RETENTION_MS,
  });
  onNamespace(namespace);
  const client = new Client({ connection, namespace });
  const open = new Set<string>();
  let worker: Worker | undefined;
  let workerFailure: Error | undefined;
  let cleaned: Promise<RemoteCleanup> | undefined;
  const cleanup = (): Promise<RemoteCleanup> =>
    (cleaned ??= cleanUp(client, namespace, open, worker));
  try {
    const built = await buildPackage({ workflowsPath: benchWorkflowsPath(), name: 'aion-bench' });
    await client.deploy(built.archive);
    worker = await Worker.create({
      connection: { address: flags.address, ...(apiKey ? { apiKey } : {}) },
      namespace,
      taskQueue: BENCH_TASK_QUEUE,
      activities: benchActivities,
      identity: `aion-bench:${process.pid}`,
      maxConcurrentActivities: 2 * WINDOW,
      shutdownGraceMs: 5000,
      logger: () => undefined,
    });
    worker.run().catch((err: unknown) => {
      workerFailure = err as Error;
    });
    await registered(client, worker.identity, () => workerFailure);
  } catch (err) {
    await cleanup();
    throw err;
  }
  let next = 0;
  const target: BenchTarget = {
    window: WINDOW,
    inProcess: false,
    async start(type, args) {
      const workflowId = `${type}-${next++}`;
      open.add(workflowId);
      const handle = await client.workflow.start(type, {
        workflowId,
        args: [...args],
        taskQueue: BENCH_TASK_QUEUE,
      });
      return {
        result: async () => {
          const value = await handle.result();
          open.delete(workflowId);
          return value;
        },
        historyLength: async () => (await handle.fetchHistory()).events.length,
      };
    },
    // One request when the run closes within the client's wait (the server answers the start
    // with the outcome), as `client.workflow.execute` does for users.
    async execute(type, args) {
      const workflowId = `${type}-${next++}`;
      open.add(workflowId);
      const value = await client.workflow.execute(type, {
        workflowId,
        args: [...args],
        taskQueue: BENCH_TASK_QUEUE,
      });
      open.delete(workflowId);
      return value;
    },
  };
  return { target, namespace, cleanup };
}

/** Waits until the server lists the bench worker on its queue. */
async function registered(
  client: Client,
  identity: string,
  failure: () => Error | undefined,
): Promise<void> {
  const deadline = Date.now() + REGISTER_DEADLINE_MS;
  for (;;) {
    const failed = failure();
    if (failed) throw failed;
    const queues = await client.listTaskQueues();
    const queue = queues.find((q) => q.name === BENCH_TASK_QUEUE);
    if (queue?.workers.some((w) => w.identity === identity)) return;
    if (Date.now() > deadline)
      throw new Error('the bench worker did not register with the server within 30 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function terminateAll(client: Client, ids: readonly string[], errors: string[]) {
  let terminated = 0;
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(
      ids.slice(i, i + 20).map(async (id) => {
        try {
          await client.getHandle(id).terminate('aion bench: cleanup');
          terminated++;
        } catch (err) {
          const code = (err as { code?: string }).code;
          // Closed meanwhile, or never started: nothing left to end.
          if (code !== 'workflow_closed' && code !== 'not_found')
            errors.push(`terminate ${id}: ${(err as Error).message}`);
        }
      }),
    );
  }
  return terminated;
}

/**
 * Ends what the bench left open: the runs it knows of, then whatever the namespace still
 * lists as running (a start whose answer was lost); then stops the worker and closes the
 * connection.
 */
async function cleanUp(
  client: Client,
  namespace: string,
  open: Set<string>,
  worker: Worker | undefined,
): Promise<RemoteCleanup> {
  const errors: string[] = [];
  let terminated = await terminateAll(client, [...open], errors);
  let stillOpen = 0;
  try {
    for (let round = 0; ; round++) {
      const page = await client.workflow.list({ status: 'RUNNING', pageSize: 1000 });
      stillOpen = page.items.length;
      if (stillOpen === 0 || round === 4) break;
      terminated += await terminateAll(
        client,
        page.items.map((i) => i.workflowId),
        errors,
      );
    }
  } catch (err) {
    errors.push(`listing the open runs of ${namespace}: ${(err as Error).message}`);
  }
  if (stillOpen > 0) errors.push(`${stillOpen} runs of ${namespace} are still open`);
  try {
    await worker?.shutdown();
  } catch (err) {
    errors.push(`worker shutdown: ${(err as Error).message}`);
  }
  await client.close().catch(() => undefined); // the connection's sockets, once all is done
  return { namespace, ok: errors.length === 0, terminated, errors };
}

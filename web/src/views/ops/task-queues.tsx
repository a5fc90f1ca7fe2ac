// Task queues of a namespace: stored task counts (claimable, running, waiting to retry) and
// the workers serving each queue, refreshed every few seconds.
import { api, nsPath } from '../../api.js';
import { ErrorBox } from '../../components/error-box.js';
import { since } from '../../format.js';
import { useLoad } from '../../hooks.js';

interface Worker {
  readonly identity: string;
  readonly connectedAt: string;
  readonly activityTypes: readonly string[];
  readonly maxConcurrent: number;
  readonly inFlight: number;
  readonly draining?: boolean;
  readonly embedded?: boolean;
}

interface TaskQueue {
  readonly name: string;
  readonly backlog: number;
  readonly running: number;
  readonly scheduled?: number;
  readonly workers: readonly Worker[];
}

export function TaskQueuesView({ ns }: { ns: string }) {
  const queues = useLoad(
    (signal) => api<{ taskQueues: TaskQueue[] }>('GET', nsPath(ns, '/task-queues'), { signal }),
    [ns],
    5_000,
  );
  const now = Date.now();
  return (
    <section>
      <h1>Task queues</h1>
      <ErrorBox error={queues.error} what="The task-queue view" />
      {queues.data?.taskQueues.length === 0 && <p class="muted">No task queues yet.</p>}
      {queues.data?.taskQueues.map((q) => (
        <article key={q.name} class="card-plain" data-testid="task-queue">
          <h2>{q.name}</h2>
          <p>
            <strong>{q.backlog}</strong> waiting for a worker · <strong>{q.running}</strong> running
            {q.scheduled !== undefined && (
              <>
                {' '}
                · <strong>{q.scheduled}</strong> waiting to retry
              </>
            )}
          </p>
          {q.workers.length === 0 ? (
            <p class="notice">No worker serves this queue: its tasks wait until one connects.</p>
          ) : (
            <table class="grid">
              <caption class="visually-hidden">Workers of {q.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Worker</th>
                  <th scope="col">Connected</th>
                  <th scope="col">In flight</th>
                  <th scope="col">Activity types</th>
                </tr>
              </thead>
              <tbody>
                {q.workers.map((w) => (
                  <tr key={w.identity}>
                    <td>
                      {w.identity}
                      {w.embedded && <span class="badge">server</span>}
                      {w.draining && <span class="badge warn">draining</span>}
                    </td>
                    <td>{since(w.connectedAt, now)}</td>
                    <td>
                      {w.inFlight} / {w.maxConcurrent}
                    </td>
                    <td>{w.activityTypes.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </article>
      ))}
    </section>
  );
}

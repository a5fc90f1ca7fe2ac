// What the store holds for each run left open by an unfinished seed: its last events, its
// activity tasks, timers and outbox rows — enough to tell a lost wake-up from a stuck run.
import type { Store } from '../src/store/index.js';
import type { RunHistory } from '../test/support/histories.js';

export async function describeOpenRuns(
  store: Store,
  histories: readonly RunHistory[],
): Promise<string> {
  const open = histories.filter((h) => h.run.status === 'RUNNING');
  const outbox = await store.listOutbox({ limit: 1000 });
  const runIds = new Set(histories.map((h) => h.run.runId));
  // A continue-as-new whose successor run was never created.
  const orphans = histories.flatMap(({ run, events }) => {
    const last = events.at(-1);
    return last?.type === 'WorkflowContinuedAsNew' && !runIds.has(last.newRunId)
      ? [`${run.workflowId} continued as new to ${last.newRunId}, which does not exist`]
      : [];
  });
  if (open.length === 0)
    return `no open run; ${[...orphans, `outbox rows: ${outbox.map((o) => o.kind).join(',')}`].join('; ')}`;
  const lines = await Promise.all(
    open.map(async ({ run, events }) => {
      const key = { namespace: run.namespace, workflowId: run.workflowId, runId: run.runId };
      const tasks = await store.listTasks(key);
      const timers = await store.listTimers(key);
      const last = events
        .slice(-6)
        .map((e) => `${e.seq}:${e.type}`)
        .join(',');
      const rows = outbox.filter((o) => o.runId === run.runId).map((o) => o.kind);
      return (
        `${run.workflowId} last=${last} tasks=[${tasks.map((t) => `${t.activityType}#${t.attempt}`).join(',')}]` +
        ` timers=${timers.length} outbox=[${rows.join(',')}]`
      );
    }),
  );
  const closed = histories
    .filter((h) => h.run.status !== 'RUNNING' && h.run.parent !== undefined)
    .filter((h) => open.some((o) => o.run.runId === h.run.parent?.runId))
    .map((h) => `${h.run.workflowId} ${h.run.status} (${h.events.at(-1)?.type ?? 'no events'})`);
  return (
    `open: ${lines.join('; ')}` +
    (closed.length > 0 ? `; their ended children: ${closed.join(', ')}` : '') +
    `; outbox rows: ${outbox.length}`
  );
}

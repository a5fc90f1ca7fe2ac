/**
 * Reading every run of a store and checking the shape every history must have, whatever
 * happened to the process that wrote it: seqs 1..n without gaps, one `WorkflowStarted` first,
 * at most one terminal event and nothing after it. Used by the kill -9 tests and the fault
 * torture harness (`npm run torture`).
 */
import { isTerminalEventType, type HistoryEvent } from '../../src/core/index.js';
import type { RunInfo, Store } from '../../src/store/index.js';

/** One run with its recorded events. */
export interface RunHistory {
  readonly run: RunInfo;
  readonly events: HistoryEvent[];
}

/** Every run of `namespace` (children and continued runs included) with its history. */
export async function readAllHistories(store: Store, namespace = 'default'): Promise<RunHistory[]> {
  const out: RunHistory[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({
      namespace,
      pageSize: 500,
      orderBy: { field: 'WorkflowId', direction: 'ASC' },
      ...(cursor ? { cursor } : {}),
    });
    for (const run of page.items) out.push({ run, events: await store.readHistory(run) });
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** The same, keyed by workflow id (for stores where each workflow id has one run). */
export async function historiesByWorkflowId(
  store: Store,
  namespace = 'default',
): Promise<Map<string, HistoryEvent[]>> {
  const all = await readAllHistories(store, namespace);
  return new Map(all.map((h) => [h.run.workflowId, h.events]));
}

/** What is wrong with the shape of one history; empty when nothing is. */
export function historyShapeProblems(events: readonly HistoryEvent[]): string[] {
  const problems: string[] = [];
  const gap = events.findIndex((e, i) => e.seq !== i + 1);
  if (gap !== -1) problems.push(`seq ${events[gap]!.seq} at position ${gap + 1}`);
  if (events[0]?.type !== 'WorkflowStarted') problems.push('does not begin with WorkflowStarted');
  const starts = events.filter((e) => e.type === 'WorkflowStarted').length;
  if (starts > 1) problems.push(`${starts} WorkflowStarted events`);
  const terminals = events.filter((e) => isTerminalEventType(e.type));
  if (terminals.length > 1)
    problems.push(
      `${terminals.length} terminal events (${terminals.map((t) => t.type).join(', ')})`,
    );
  const first = events.findIndex((e) => isTerminalEventType(e.type));
  if (first !== -1 && first !== events.length - 1)
    problems.push(`${events.length - 1 - first} events after ${events[first]!.type}`);
  return problems;
}

/** The terminal event types of a history, in order (one for a closed run, none for an open one). */
export function terminalTypes(events: readonly HistoryEvent[]): string[] {
  return events.filter((e) => isTerminalEventType(e.type)).map((e) => e.type);
}

/** How many events of each type a history holds (types it does not hold are absent). */
export function eventCounts(events: readonly HistoryEvent[]): Partial<Record<string, number>> {
  const counts: Partial<Record<string, number>> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}

// Runs per status for the current filter (status chips aside); each count toggles its chip.
// Uses the grouped count; a server without it is asked once per status.
import { api, ApiError, nsPath, qs } from '../../api.js';
import { quote, statusFromValue, statusLabel, statusQueryValue } from '../../format.js';
import { WORKFLOW_STATUSES, type CountAnswer, type WorkflowStatus } from '../../types.js';
import { splitOrderBy } from './compose.js';

export type Counts = Partial<Record<WorkflowStatus, number>> & { total: number };

export async function loadCounts(ns: string, query: string, signal: AbortSignal): Promise<Counts> {
  const { where } = splitOrderBy(query);
  try {
    const answer = await api<CountAnswer>(
      'GET',
      nsPath(ns, `/workflows-count${qs({ query: where, groupBy: 'ExecutionStatus' })}`),
      { signal },
    );
    if (answer.groups) {
      const counts: Counts = { total: answer.count };
      for (const g of answer.groups) {
        const s = statusFromValue(g.value);
        if (s) counts[s] = (counts[s] ?? 0) + g.count;
      }
      return counts;
    }
  } catch (err) {
    // An older server refuses the unknown parameter; a bad query is the user's to fix.
    if (!(err instanceof ApiError) || err.details.field !== 'groupBy') throw err;
  }
  const per = await Promise.all(
    WORKFLOW_STATUSES.map(async (s) => {
      const clause = `ExecutionStatus = ${quote(statusQueryValue(s))}`;
      const q = where ? `(${where}) AND ${clause}` : clause;
      const a = await api<CountAnswer>('GET', nsPath(ns, `/workflows-count${qs({ query: q })}`), {
        signal,
      });
      return [s, a.count] as const;
    }),
  );
  const counts: Counts = { total: per.reduce((n, [, c]) => n + c, 0) };
  for (const [s, c] of per) counts[s] = c;
  return counts;
}

export function StatusCounts(props: {
  counts: Counts | undefined;
  selected: readonly WorkflowStatus[];
  onToggle: (s: WorkflowStatus) => void;
}) {
  const { counts, selected } = props;
  return (
    <div class="chips" role="group" aria-label="Filter by status">
      {WORKFLOW_STATUSES.map((s) => {
        const n = counts?.[s];
        if (n === undefined && !selected.includes(s)) return null;
        if (n === 0 && !selected.includes(s)) return null;
        return (
          <button
            key={s}
            type="button"
            class={`chip status-chip status-${s.toLowerCase()}`}
            aria-pressed={selected.includes(s)}
            data-status={s}
            onClick={() => props.onToggle(s)}
          >
            {statusLabel(s)} <span class="count">{n ?? '…'}</span>
          </button>
        );
      })}
      {counts && (
        <span class="muted total" data-testid="total-count">
          {counts.total} in all
        </span>
      )}
    </div>
  );
}

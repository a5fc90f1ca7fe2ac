// Time travel: the run replayed up to a chosen event (the last workflow-task boundary at or
// before it), showing where its code stood then and what its queries answered then; Back and
// Forward step over the task boundaries.
import { useEffect, useState } from 'preact/hooks';
import { api, wfPath } from '../../api.js';
import { ErrorBox } from '../../components/error-box.js';
import { JsonView } from '../../components/json-view.js';
import type { HistoryEvent, TimeTravelAnswer } from '../../types.js';

export function TimeTravel(props: {
  ns: string;
  workflowId: string;
  runId: string;
  events: readonly HistoryEvent[];
  initialSeq: number | undefined;
}) {
  const last = props.events[props.events.length - 1]?.seq ?? 1;
  const [atSeq, setAtSeq] = useState(props.initialSeq ?? last);
  const [queries, setQueries] = useState('');
  const [answer, setAnswer] = useState<TimeTravelAnswer>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (props.initialSeq !== undefined) setAtSeq(props.initialSeq);
  }, [props.initialSeq]);

  const travel = async (seq: number): Promise<void> => {
    setAtSeq(seq);
    setBusy(true);
    setError(undefined);
    try {
      const names = queries
        .split(/[\s,]+/)
        .map((q) => q.trim())
        .filter(Boolean);
      setAnswer(
        await api<TimeTravelAnswer>('POST', wfPath(props.ns, props.workflowId, '/time-travel'), {
          body: { runId: props.runId, atSeq: seq, queries: names.map((name) => ({ name })) },
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-label="Time travel">
      <p class="muted">
        Replays this run's history in a sandbox up to the chosen event and shows its state as it was
        then. Nothing is recorded.
      </p>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void travel(atSeq);
        }}
      >
        <label for="tt-seq">At event</label>
        <select
          id="tt-seq"
          value={String(atSeq)}
          onChange={(e) => setAtSeq(Number(e.currentTarget.value))}
        >
          {props.events.map((e) => (
            <option key={e.seq} value={String(e.seq)}>
              #{e.seq} {e.type}
            </option>
          ))}
        </select>
        <label for="tt-queries">Queries</label>
        <input
          id="tt-queries"
          placeholder="query names, comma-separated"
          value={queries}
          onInput={(e) => setQueries(e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Replaying…' : 'Travel'}
        </button>
      </form>
      <ErrorBox error={error} what="Time travel" />
      {answer && (
        <TravelAnswer
          answer={answer}
          events={props.events}
          busy={busy}
          travel={(seq) => void travel(seq)}
        />
      )}
    </section>
  );
}

function TravelAnswer(props: {
  answer: TimeTravelAnswer;
  events: readonly HistoryEvent[];
  busy: boolean;
  travel: (seq: number) => void;
}) {
  const { answer } = props;
  const boundaries = answer.boundaries;
  const pos = boundaries.indexOf(answer.boundarySeq);
  const prev = pos > 0 ? boundaries[pos - 1] : undefined;
  const next = pos >= 0 && pos < boundaries.length - 1 ? boundaries[pos + 1] : undefined;
  const event = props.events.find((e) => e.seq === answer.boundarySeq);
  return (
    <div class="tt-answer" data-testid="time-travel">
      <div class="inline">
        <button
          type="button"
          disabled={prev === undefined || props.busy}
          onClick={() => prev !== undefined && props.travel(prev)}
        >
          ← Previous task
        </button>
        <span data-testid="tt-boundary">
          State after event #{answer.boundarySeq}
          {event ? ` (${event.type})` : ''} · task {pos + 1} of {boundaries.length}
        </span>
        <button
          type="button"
          disabled={next === undefined || props.busy}
          onClick={() => next !== undefined && props.travel(next)}
        >
          Next task →
        </button>
      </div>
      <h3>Call stack then</h3>
      <pre class="stack" data-testid="tt-stack" tabIndex={0}>
        {answer.stackTrace || '(nothing pending)'}
      </pre>
      {answer.queries.map((q) => (
        <div key={q.name}>
          <h3>Query {q.name}</h3>
          {q.ok ? (
            <JsonView value={q.result} label={`Query ${q.name}`} />
          ) : (
            <p class="error" role="alert">
              <strong class="error-code">{q.code ?? 'query_failed'}</strong>{' '}
              {q.failure?.message ?? ''}
            </p>
          )}
        </div>
      ))}
    </div>
  );
}

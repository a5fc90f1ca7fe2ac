// Parts of a schedule's card: its next fire times (in its zone and in UTC) and the backfill
// form, which describes the call the card confirms.
import { useState } from 'preact/hooks';
import type { ApiCall } from '../../components/dialog.js';
import { time } from '../../format.js';

const OVERLAPS = [
  'SKIP',
  'BUFFER_ONE',
  'BUFFER_ALL',
  'CANCEL_OTHER',
  'TERMINATE_OTHER',
  'ALLOW_ALL',
] as const;

/** `2026-01-01 04:00:00` as the wall clock of `zone` shows `at`. */
function inZone(at: string, zone: string): string {
  try {
    return new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    }).format(new Date(at));
  } catch {
    return '—';
  }
}

export function NextFires(props: { times: readonly string[]; zone: string; scheduleId: string }) {
  const next = props.times.slice(0, 5);
  if (next.length === 0) return <p class="muted">No next fire times.</p>;
  return (
    <table class="grid" aria-label={`Next fire times of ${props.scheduleId}`}>
      <thead>
        <tr>
          <th scope="col">Next fires ({props.zone})</th>
          <th scope="col">UTC</th>
        </tr>
      </thead>
      <tbody>
        {next.map((t) => (
          <tr key={t} data-testid="next-fire">
            <td>{inZone(t, props.zone)}</td>
            <td>{time(t)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A `datetime-local` value read as UTC, as an ISO 8601 instant; undefined if not a time. */
function utc(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(`${value}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Start and end (UTC) and an overlap policy; "Backfill…" hands the call to confirm. */
export function BackfillForm(props: { path: string; onBackfill: (call: ApiCall) => void }) {
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [overlap, setOverlap] = useState('');
  const from = utc(start);
  const to = utc(end);
  const invalid =
    from === undefined || to === undefined
      ? 'Give a start and an end.'
      : from > to
        ? 'The start must not be after the end.'
        : undefined;
  const backfill = (): void => {
    if (from === undefined || to === undefined) return;
    props.onBackfill({
      method: 'POST',
      path: `${props.path}/backfill`,
      body: { backfills: [{ start: from, end: to, ...(overlap ? { overlap } : {}) }] },
    });
  };
  return (
    <details>
      <summary>Backfill</summary>
      <div class="form">
        <p class="muted">
          Takes every fire time between the start and the end now, as if each had fired.
        </p>
        <label class="block">
          <span>Backfill start (UTC)</span>
          <input
            type="datetime-local"
            step={1}
            value={start}
            onInput={(e) => setStart(e.currentTarget.value)}
          />
        </label>
        <label class="block">
          <span>Backfill end (UTC)</span>
          <input
            type="datetime-local"
            step={1}
            value={end}
            onInput={(e) => setEnd(e.currentTarget.value)}
          />
        </label>
        <label class="block">
          <span>Overlap policy</span>
          <select value={overlap} onChange={(e) => setOverlap(e.currentTarget.value)}>
            <option value="">the schedule's</option>
            {OVERLAPS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        {(start || end) && invalid && <p class="error">{invalid}</p>}
        <button type="button" disabled={invalid !== undefined} onClick={backfill}>
          Backfill…
        </button>
      </div>
    </details>
  );
}

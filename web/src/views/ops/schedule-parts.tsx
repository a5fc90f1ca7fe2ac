// Parts of a schedule's card and form: its next fire times (in its zone and in UTC), times
// typed in the schedule's zone or in UTC (both shown), and the backfill form, which describes
// the call the card confirms.
import { useState } from 'preact/hooks';
import type { ApiCall } from '../../components/dialog.js';
import { time } from '../../format.js';
import { inZone, wallValue, zonedInstant, type ZonedInstant } from '../../zone-time.js';

export const OVERLAPS = [
  'SKIP',
  'BUFFER_ONE',
  'BUFFER_ALL',
  'CANCEL_OTHER',
  'TERMINATE_OTHER',
  'ALLOW_ALL',
] as const;

export function NextFires(props: {
  times: readonly string[];
  zone: string;
  scheduleId: string;
  /** The table's accessible name (default: "Next fire times of <id>"). */
  label?: string;
}) {
  const next = props.times.slice(0, 5);
  if (next.length === 0) return <p class="muted">No next fire times.</p>;
  return (
    <table class="grid" aria-label={props.label ?? `Next fire times of ${props.scheduleId}`}>
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

/** Which clock typed times are read on: the schedule's zone, or UTC. */
export function TimeBasis(props: {
  zone: string;
  basis: string;
  onChange: (basis: string, previous: string) => void;
  name: string;
}) {
  if (props.zone === 'UTC') return null;
  return (
    <fieldset class="inline basis">
      <legend>Times typed in</legend>
      {[props.zone, 'UTC'].map((z) => (
        <label key={z}>
          <input
            type="radio"
            name={props.name}
            checked={props.basis === z}
            onChange={() => props.onChange(z, props.basis)}
          />
          {z === 'UTC' ? 'UTC' : `${z} (the schedule's zone)`}
        </label>
      ))}
    </fieldset>
  );
}

/** A wall time typed for `basis`, with the instant it names shown in `zone` and in UTC. */
export function ZonedTimeInput(props: {
  label: string;
  value: string;
  basis: string;
  zone: string;
  onInput: (value: string) => void;
  testId: string;
}) {
  const at = props.value ? zonedInstant(props.value, props.basis) : undefined;
  return (
    <label class="block">
      <span>
        {props.label} ({props.basis})
      </span>
      <input
        type="datetime-local"
        step={1}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {at && (
        <small class="muted" data-testid={props.testId}>
          {props.zone !== 'UTC' && `${inZone(at.iso, props.zone)} ${props.zone} · `}
          {time(at.iso)}
          {at.note === 'gap' &&
            ` (that time does not exist in ${props.basis}: clocks jump over it)`}
          {at.note === 'repeated' &&
            ` (that time occurs twice in ${props.basis}: the first is taken)`}
        </small>
      )}
    </label>
  );
}

/** A typed wall time moved to another basis, naming the same instant (empty stays empty). */
export function rebase(value: string, from: string, to: string): string {
  const at = value ? zonedInstant(value, from) : undefined;
  return at ? wallValue(at.iso, to) : value;
}

/** Start and end (in the schedule's zone or UTC) and an overlap policy; "Backfill…" hands the call to confirm. */
export function BackfillForm(props: {
  path: string;
  zone: string;
  onBackfill: (call: ApiCall) => void;
}) {
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [basis, setBasis] = useState(props.zone);
  const [overlap, setOverlap] = useState('');
  const from: ZonedInstant | undefined = start ? zonedInstant(start, basis) : undefined;
  const to: ZonedInstant | undefined = end ? zonedInstant(end, basis) : undefined;
  const invalid =
    from === undefined || to === undefined
      ? 'Give a start and an end.'
      : from.iso > to.iso
        ? 'The start must not be after the end.'
        : undefined;
  const backfill = (): void => {
    if (from === undefined || to === undefined) return;
    props.onBackfill({
      method: 'POST',
      path: `${props.path}/backfill`,
      body: { backfills: [{ start: from.iso, end: to.iso, ...(overlap ? { overlap } : {}) }] },
    });
  };
  return (
    <details>
      <summary>Backfill</summary>
      <div class="form">
        <p class="muted">
          Takes every fire time between the start and the end now, as if each had fired.
        </p>
        <TimeBasis
          zone={props.zone}
          basis={basis}
          name={`backfill-basis-${props.path}`}
          onChange={(next, previous) => {
            setStart(rebase(start, previous, next));
            setEnd(rebase(end, previous, next));
            setBasis(next);
          }}
        />
        <ZonedTimeInput
          label="Backfill start"
          value={start}
          basis={basis}
          zone={props.zone}
          onInput={setStart}
          testId="backfill-start-at"
        />
        <ZonedTimeInput
          label="Backfill end"
          value={end}
          basis={basis}
          zone={props.zone}
          onInput={setEnd}
          testId="backfill-end-at"
        />
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

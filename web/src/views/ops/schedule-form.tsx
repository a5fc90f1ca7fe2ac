// Create or edit a schedule: every field the schedule API takes (spec, action, policies, memo,
// search attributes, initial state), the next 5 fire times of the spec as it is typed (the
// server computes them: `POST …/schedule-preview`), and the exact call confirmed before it is
// made. The server's refusal (a bad cron field, an unknown zone, a taken id) shows beside the
// form with its message.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, nsPath } from '../../api.js';
import { ConfirmCall, type ApiCall } from '../../components/dialog.js';
import { ErrorBox } from '../../components/error-box.js';
import { useLoad } from '../../hooks.js';
import {
  buildBody,
  buildSpec,
  EMPTY_FIELDS,
  fieldsOf,
  type ScheduleDescription,
  type ScheduleFields,
} from './schedule-body.js';
import { NextFires, OVERLAPS, rebase, TimeBasis, ZonedTimeInput } from './schedule-parts.js';

type Set = <K extends keyof ScheduleFields>(k: K, v: ScheduleFields[K]) => void;

/** The schedule editor: `scheduleId` given edits that schedule, else creates one. */
export function ScheduleEditor(props: {
  ns: string;
  scheduleId?: string;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { ns, scheduleId } = props;
  const loaded = useLoad(
    async (signal) =>
      scheduleId === undefined
        ? undefined
        : api<ScheduleDescription>(
            'GET',
            nsPath(ns, `/schedules/${encodeURIComponent(scheduleId)}`),
            { signal },
          ),
    [ns, scheduleId],
  );
  if (scheduleId !== undefined && !loaded.data)
    return (
      <section class="card-plain" aria-busy={loaded.error === undefined}>
        <ErrorBox error={loaded.error} />
        {loaded.error === undefined && <p class="muted">Loading {scheduleId}…</p>}
      </section>
    );
  return <ScheduleForm {...props} loaded={loaded.data} />;
}

function ScheduleForm(props: {
  ns: string;
  loaded: ScheduleDescription | undefined;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { ns, loaded } = props;
  const [f, setFields] = useState<ScheduleFields>(() => (loaded ? fieldsOf(loaded) : EMPTY_FIELDS));
  const [confirming, setConfirming] = useState<ApiCall>();
  const [refused, setRefused] = useState<unknown>();
  const set: Set = (k, v) => setFields((old) => ({ ...old, [k]: v }));
  const body = buildBody(f, loaded);
  const path = loaded
    ? nsPath(ns, `/schedules/${encodeURIComponent(loaded.scheduleId)}`)
    : nsPath(ns, '/schedules');
  const title = loaded ? `Edit schedule ${loaded.scheduleId}` : 'New schedule';
  return (
    <section class="card-plain schedule-form" aria-label={title}>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (typeof body === 'string') return;
          setRefused(undefined);
          setConfirming({ method: loaded ? 'PUT' : 'POST', path, body });
        }}
      >
        <h2>{title}</h2>
        <label class="block">
          <span>Schedule id (required)</span>
          <input
            value={f.scheduleId}
            disabled={loaded !== undefined}
            onInput={(e) => set('scheduleId', e.currentTarget.value)}
          />
        </label>
        <SpecFields f={f} set={set} setFields={setFields} />
        <SpecPreview ns={ns} f={f} />
        <ActionFields f={f} set={set} />
        <PolicyFields f={f} set={set} creating={loaded === undefined} />
        {refused !== undefined && (
          <div data-testid="schedule-refused">
            <p class="muted">The server refused the schedule:</p>
            <ErrorBox error={refused} />
          </div>
        )}
        {typeof body === 'string' && (
          <p class="error" role="alert" data-testid="schedule-invalid">
            {body}
          </p>
        )}
        <div class="inline">
          <button type="submit" class="primary" disabled={typeof body === 'string'}>
            {loaded ? 'Save…' : 'Create…'}
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
      {confirming && (
        <ConfirmCall
          title={title}
          call={confirming}
          run={async () => {
            try {
              return await api(confirming.method, confirming.path, { body: confirming.body });
            } catch (err) {
              // Shown beside the form, where the field to fix is.
              setRefused(err);
              setConfirming(undefined);
              throw err;
            }
          }}
          onDone={props.onSaved}
          onClose={() => setConfirming(undefined)}
        />
      )}
    </section>
  );
}

function Field(props: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <label class="block">
      <span>
        {props.label}
        {props.hint && <small class="muted"> — {props.hint}</small>}
      </span>
      {props.children}
    </label>
  );
}

function Text(props: { f: ScheduleFields; set: Set; k: keyof ScheduleFields; area?: boolean }) {
  const value = String(props.f[props.k]);
  const onInput = (e: Event): void =>
    props.set(props.k, (e.currentTarget as HTMLInputElement).value);
  return props.area ? (
    <textarea value={value} spellcheck={false} onInput={onInput} />
  ) : (
    <input value={value} onInput={onInput} />
  );
}

function SpecFields(props: {
  f: ScheduleFields;
  set: Set;
  setFields: (fn: (old: ScheduleFields) => ScheduleFields) => void;
}) {
  const { f, set } = props;
  const zone = f.timezone.trim() || 'UTC';
  return (
    <fieldset>
      <legend>When it fires</legend>
      <Field label="Cron expressions" hint="one per line, e.g. 0 9 * * MON-FRI or @daily">
        <Text f={f} set={set} k="cron" area />
      </Field>
      <Field label="Intervals" hint="one per line, e.g. 15m or 1h offset 5m">
        <Text f={f} set={set} k="intervals" area />
      </Field>
      <details open={Boolean(f.calendars || f.skip)}>
        <summary>Calendars and skip (JSON)</summary>
        <Field label="Calendars" hint='JSON array, e.g. [{"hour": 9, "dayOfWeek": "MONDAY"}]'>
          <Text f={f} set={set} k="calendars" area />
        </Field>
        <Field label="Skip" hint="JSON array of calendars that never fire">
          <Text f={f} set={set} k="skip" area />
        </Field>
      </details>
      <Field label="Time zone" hint="IANA, e.g. Europe/Berlin (cron and calendars)">
        <input
          value={f.timezone}
          onInput={(e) => {
            const next = e.currentTarget.value;
            props.setFields((old) => ({
              ...old,
              timezone: next,
              // Times follow the zone, unless UTC was chosen over another zone.
              basis: followsZone(old) ? next.trim() || 'UTC' : 'UTC',
            }));
          }}
        />
      </Field>
      <TimeBasis
        zone={zone}
        basis={f.basis}
        name="schedule-basis"
        onChange={(next, previous) =>
          props.setFields((old) => ({
            ...old,
            basis: next,
            startAt: rebase(old.startAt, previous, next),
            endAt: rebase(old.endAt, previous, next),
          }))
        }
      />
      <ZonedTimeInput
        label="Start"
        value={f.startAt}
        basis={f.basis}
        zone={zone}
        onInput={(v) => set('startAt', v)}
        testId="spec-start-at"
      />
      <ZonedTimeInput
        label="End"
        value={f.endAt}
        basis={f.basis}
        zone={zone}
        onInput={(v) => set('endAt', v)}
        testId="spec-end-at"
      />
      <Field label="Jitter" hint="each fire delayed by up to this, e.g. 30s">
        <Text f={f} set={set} k="jitter" />
      </Field>
    </fieldset>
  );
}

function followsZone(f: ScheduleFields): boolean {
  const zone = f.timezone.trim() || 'UTC';
  return f.basis !== 'UTC' || zone === 'UTC';
}

/** The next 5 fire times of the spec being typed, as the server computes them. */
function SpecPreview({ ns, f }: { ns: string; f: ScheduleFields }) {
  const spec = buildSpec(f);
  const key = typeof spec === 'string' ? '' : JSON.stringify(spec);
  const [answer, setAnswer] = useState<{ key: string; times?: string[]; error?: unknown }>();
  useEffect(() => {
    if (!key) return undefined;
    const ctl = new AbortController();
    const timer = window.setTimeout(() => {
      api<{ nextActionTimes: string[] }>('POST', nsPath(ns, '/schedule-preview'), {
        body: { spec: JSON.parse(key) as unknown, count: 5 },
        signal: ctl.signal,
      }).then(
        (a) => setAnswer({ key, times: a.nextActionTimes }),
        (error: unknown) => {
          if (!ctl.signal.aborted) setAnswer({ key, error });
        },
      );
    }, 300);
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [ns, key]);
  const zone = f.timezone.trim() || 'UTC';
  const current = answer?.key === key ? answer : undefined;
  return (
    <div class="preview" data-testid="schedule-preview" aria-live="polite">
      <h3>Next fires of this spec</h3>
      {typeof spec === 'string' ? (
        <p class="muted">{spec}</p>
      ) : current?.error !== undefined ? (
        <ErrorBox error={current.error} />
      ) : current?.times ? (
        <NextFires times={current.times} zone={zone} scheduleId="" label="Preview of next fires" />
      ) : (
        <p class="muted">Computing…</p>
      )}
      <p class="muted">Nominal times: jitter is added when each fires.</p>
    </div>
  );
}

function ActionFields({ f, set }: { f: ScheduleFields; set: Set }) {
  return (
    <fieldset>
      <legend>What it starts</legend>
      <Field label="Workflow type (required)">
        <Text f={f} set={set} k="workflowType" />
      </Field>
      <Field label="Task queue" hint="empty: the default">
        <Text f={f} set={set} k="taskQueue" />
      </Field>
      <Field label="Workflow id" hint="base of each run's id; empty: the schedule id">
        <Text f={f} set={set} k="workflowId" />
      </Field>
      <Field label="Arguments (JSON array)">
        <Text f={f} set={set} k="args" area />
      </Field>
    </fieldset>
  );
}

function PolicyFields(props: { f: ScheduleFields; set: Set; creating: boolean }) {
  const { f, set } = props;
  return (
    <fieldset>
      <legend>Policies and state</legend>
      <Field label="Overlap policy">
        <select value={f.overlap} onChange={(e) => set('overlap', e.currentTarget.value)}>
          {OVERLAPS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Catch-up window" hint="e.g. 10m; empty: 1 minute; at least 10s">
        <Text f={f} set={set} k="catchupWindow" />
      </Field>
      <label>
        <input
          type="checkbox"
          checked={f.pauseOnFailure}
          onChange={(e) => set('pauseOnFailure', e.currentTarget.checked)}
        />
        Pause when a started workflow fails
      </label>
      <Field label="Memo (JSON object)">
        <Text f={f} set={set} k="memo" area />
      </Field>
      <Field label="Search attributes (JSON object)">
        <Text f={f} set={set} k="searchAttributes" area />
      </Field>
      <label>
        <input
          type="checkbox"
          checked={f.paused}
          onChange={(e) => set('paused', e.currentTarget.checked)}
        />
        {props.creating ? 'Create paused' : 'Paused'}
      </label>
      <Field label="Note" hint="why it is paused (shown on the schedule)">
        <Text f={f} set={set} k="note" />
      </Field>
    </fieldset>
  );
}

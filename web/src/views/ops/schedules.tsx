// Schedules: what each starts and when (next times in the schedule's zone and UTC, recent
// actions); operators create and edit them, and pause, unpause, trigger, backfill and delete.
import { useState } from 'preact/hooks';
import { api, nsPath } from '../../api.js';
import { ConfirmCall, type ApiCall } from '../../components/dialog.js';
import { ErrorBox } from '../../components/error-box.js';
import { JsonView } from '../../components/json-view.js';
import { time } from '../../format.js';
import { useLoad } from '../../hooks.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
import { ScheduleEditor } from './schedule-form.js';
import { BackfillForm, NextFires } from './schedule-parts.js';

interface ScheduleItem {
  readonly scheduleId: string;
  readonly spec: Record<string, unknown> & { readonly timezone?: string };
  readonly action: { readonly type: string; readonly workflowType: string };
  readonly state: { readonly paused: boolean; readonly note?: string };
  readonly info: {
    readonly nextActionTimes: readonly string[];
    readonly recentActions: readonly {
      scheduleTime?: string;
      actualTime?: string;
      workflowId?: string;
      runId?: string;
    }[];
  };
}

export function SchedulesView({ ns }: { ns: string }) {
  const { can } = useSession();
  const list = useLoad(
    (signal) =>
      api<{ items: ScheduleItem[] }>('GET', nsPath(ns, '/schedules?pageSize=200'), { signal }),
    [ns],
    10_000,
  );
  const [pending, setPending] = useState<{ title: string; call: ApiCall; danger?: boolean }>();
  /** The schedule being edited, `''` for a new one; undefined: no form open. */
  const [editing, setEditing] = useState<string>();
  const act = (s: ScheduleItem, what: Act): void => {
    const base = nsPath(ns, `/schedules/${encodeURIComponent(s.scheduleId)}`);
    const call: ApiCall =
      what === 'delete'
        ? { method: 'DELETE', path: base }
        : {
            method: 'POST',
            path: `${base}/${what}`,
            body: what === 'trigger' ? {} : { note: `${what}d from the console` },
          };
    setPending({
      title: `${what[0]?.toUpperCase()}${what.slice(1)} ${s.scheduleId}`,
      call,
      danger: what === 'delete',
    });
  };
  return (
    <section>
      <h1>Schedules</h1>
      {can.operate && editing === undefined && (
        <button type="button" class="primary" onClick={() => setEditing('')}>
          New schedule…
        </button>
      )}
      {editing !== undefined && (
        <ScheduleEditor
          key={`${ns}/${editing}`}
          ns={ns}
          {...(editing ? { scheduleId: editing } : {})}
          onSaved={() => {
            setEditing(undefined);
            list.reload();
          }}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <ErrorBox error={list.error} />
      {list.data?.items.length === 0 && (
        <p class="muted">
          No schedules.{' '}
          {can.operate ? 'Create one here, with' : 'An operator creates them here, with'}{' '}
          <code>aion schedule create</code> or <code>POST …/schedules</code>.
        </p>
      )}
      {list.data?.items.map((s) => (
        <ScheduleCard
          key={s.scheduleId}
          ns={ns}
          s={s}
          operate={can.operate}
          onAct={(what) => act(s, what)}
          onEdit={() => setEditing(s.scheduleId)}
          onBackfill={(call) => setPending({ title: `Backfill ${s.scheduleId}`, call })}
        />
      ))}
      {pending && (
        <ConfirmCall
          title={pending.title}
          call={pending.call}
          danger={pending.danger === true}
          run={() =>
            api(
              pending.call.method,
              pending.call.path,
              pending.call.body !== undefined ? { body: pending.call.body } : {},
            )
          }
          onDone={() => {
            setPending(undefined);
            list.reload();
          }}
          onClose={() => setPending(undefined)}
        />
      )}
    </section>
  );
}

type Act = 'pause' | 'unpause' | 'trigger' | 'delete';

function ScheduleCard(props: {
  ns: string;
  s: ScheduleItem;
  operate: boolean;
  onAct: (what: Act) => void;
  onEdit: () => void;
  onBackfill: (call: ApiCall) => void;
}) {
  const { ns, s } = props;
  return (
    <article class="card-plain" data-testid="schedule">
      <h2>
        {s.scheduleId} {s.state.paused && <span class="badge warn">paused</span>}
      </h2>
      <p>
        Starts <strong>{s.action.workflowType}</strong>
        {s.state.note ? ` · note: ${s.state.note}` : ''}
      </p>
      <NextFires
        times={s.info.nextActionTimes}
        zone={s.spec.timezone ?? 'UTC'}
        scheduleId={s.scheduleId}
      />
      <details>
        <summary>Spec and recent actions</summary>
        <JsonView value={s.spec} label={`Spec of ${s.scheduleId}`} />
        <ul>
          {s.info.recentActions.map((a, i) => (
            <li key={i}>
              {time(a.actualTime ?? a.scheduleTime)}{' '}
              {a.workflowId && a.runId && (
                <a href={href.run(ns, a.workflowId, a.runId)}>{a.workflowId}</a>
              )}
            </li>
          ))}
        </ul>
      </details>
      {props.operate && (
        <div class="inline">
          <button type="button" onClick={() => props.onEdit()}>
            Edit…
          </button>
          {s.state.paused ? (
            <button type="button" onClick={() => props.onAct('unpause')}>
              Unpause…
            </button>
          ) : (
            <button type="button" onClick={() => props.onAct('pause')}>
              Pause…
            </button>
          )}
          <button type="button" onClick={() => props.onAct('trigger')}>
            Trigger now…
          </button>
          <button type="button" class="danger-outline" onClick={() => props.onAct('delete')}>
            Delete…
          </button>
        </div>
      )}
      {props.operate && (
        <BackfillForm
          path={nsPath(ns, `/schedules/${encodeURIComponent(s.scheduleId)}`)}
          zone={s.spec.timezone ?? 'UTC'}
          onBackfill={(call) => props.onBackfill(call)}
        />
      )}
    </article>
  );
}

// Schedules: what each starts and when (next times in the schedule's zone and UTC, recent
// actions); operators pause, unpause, trigger, backfill and delete them.
import { useState } from 'preact/hooks';
import { api, nsPath } from '../../api.js';
import { ConfirmCall, type ApiCall } from '../../components/dialog.js';
import { ErrorBox } from '../../components/error-box.js';
import { JsonView } from '../../components/json-view.js';
import { time } from '../../format.js';
import { useLoad } from '../../hooks.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
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
  const act = (s: ScheduleItem, what: 'pause' | 'unpause' | 'trigger' | 'delete'): void => {
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
      <ErrorBox error={list.error} />
      {list.data?.items.length === 0 && (
        <p class="muted">
          No schedules. Create one with <code>aion schedule create</code> or{' '}
          <code>POST …/schedules</code>.
        </p>
      )}
      {list.data?.items.map((s) => (
        <article key={s.scheduleId} class="card-plain" data-testid="schedule">
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
          {can.operate && (
            <div class="inline">
              {s.state.paused ? (
                <button type="button" onClick={() => act(s, 'unpause')}>
                  Unpause…
                </button>
              ) : (
                <button type="button" onClick={() => act(s, 'pause')}>
                  Pause…
                </button>
              )}
              <button type="button" onClick={() => act(s, 'trigger')}>
                Trigger now…
              </button>
              <button type="button" class="danger-outline" onClick={() => act(s, 'delete')}>
                Delete…
              </button>
            </div>
          )}
          {can.operate && (
            <BackfillForm
              path={nsPath(ns, `/schedules/${encodeURIComponent(s.scheduleId)}`)}
              onBackfill={(call) => setPending({ title: `Backfill ${s.scheduleId}`, call })}
            />
          )}
        </article>
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

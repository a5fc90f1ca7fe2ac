// One run: header with its status and actions, then tabs (summary, history, timeline,
// pending work, call stack, time travel, relationships). Followed live while it is open.
import { useMemo, useState } from 'preact/hooks';
import { api, qs, wfPath } from '../../api.js';
import { ErrorBox } from '../../components/error-box.js';
import { StatusBadge } from '../../components/status-badge.js';
import { useLoad } from '../../hooks.js';
import { href, navigate } from '../../router.js';
import { useSession } from '../../session.js';
import type { Description } from '../../types.js';
import { Actions } from './actions.js';
import { CallStack } from './call-stack.js';
import { HistoryView } from './history-view.js';
import { buildModel } from './model.js';
import { Pending } from './pending.js';
import { Relationships } from './relationships.js';
import { Summary } from './summary.js';
import { Timeline } from './timeline.js';
import { TimeTravel } from './time-travel.js';
import { useHistory } from './use-history.js';

const TABS = [
  ['summary', 'Summary'],
  ['history', 'History'],
  ['timeline', 'Timeline'],
  ['pending', 'Pending'],
  ['stack', 'Call stack'],
  ['time-travel', 'Time travel'],
  ['relationships', 'Relationships'],
] as const;
type Tab = (typeof TABS)[number][0];

export function RunView(props: {
  ns: string;
  workflowId: string;
  runId: string;
  params: URLSearchParams;
}) {
  const { ns, workflowId, runId, params } = props;
  const { can } = useSession();
  const tab: Tab = TABS.some(([t]) => t === params.get('tab'))
    ? (params.get('tab') as Tab)
    : 'summary';
  const seqParam = params.get('seq');
  const selectedSeq = seqParam ? Number(seqParam) : undefined;
  const [closed, setClosed] = useState(false);
  const desc = useLoad(
    (signal) => api<Description>('GET', wfPath(ns, workflowId, qs({ runId })), { signal }),
    [ns, workflowId, runId],
    // Followed while open; a closed run changes only by an action here (which reloads it).
    closed ? undefined : 2_000,
  );
  const d = desc.data;
  const open = d ? d.status === 'RUNNING' || d.status === 'PAUSED' : true;
  if (closed === open) setClosed(!open);
  const history = useHistory(ns, workflowId, runId, can.decode, open);
  const model = useMemo(() => buildModel(history.events), [history.events]);
  const go = (t: Tab, seq?: number): void =>
    navigate(
      `${href.run(ns, workflowId, runId, t)}${seq !== undefined ? `&seq=${seq}` : ''}`,
      true,
    );
  return (
    <section class="run">
      <p class="crumbs">
        <a href={href.workflows(ns)}>Workflows</a> / <span>{workflowId}</span>
      </p>
      <div class="view-head">
        <h1>
          {workflowId} {d && <StatusBadge status={d.status} />}
        </h1>
        <span class="muted mono">run {runId}</span>
        {open && d && <span class="live muted">following live</span>}
      </div>
      <ErrorBox error={desc.error} />
      {d && (
        <Actions
          ns={ns}
          d={d}
          events={history.events}
          onChanged={() => {
            desc.reload();
            history.refresh();
          }}
        />
      )}
      <div role="tablist" aria-label="Run details" class="tabs">
        {TABS.map(([t, label]) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`tab-${t}`}
            aria-selected={tab === t}
            aria-controls="run-panel"
            tabIndex={tab === t ? 0 : -1}
            onClick={() => go(t, selectedSeq)}
            onKeyDown={(e) => {
              const i = TABS.findIndex(([x]) => x === t);
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (step === 0) return;
              const next = TABS[(i + step + TABS.length) % TABS.length];
              if (next) {
                go(next[0], selectedSeq);
                requestAnimationFrame(() => document.getElementById(`tab-${next[0]}`)?.focus());
              }
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="run-panel" aria-labelledby={`tab-${tab}`} class="tabpanel">
        <ErrorBox error={history.error} />
        {tab === 'summary' && d && <Summary d={d} model={model} />}
        {tab === 'history' && (
          <HistoryView
            history={history}
            namespace={ns}
            workflowId={workflowId}
            runId={runId}
            selectedSeq={selectedSeq}
            onSelect={(seq) => go('history', seq)}
          />
        )}
        {tab === 'timeline' && (
          <Timeline
            ns={ns}
            workflowId={workflowId}
            runId={runId}
            model={model}
            pending={d?.pendingActivities ?? []}
            now={Date.now()}
          />
        )}
        {tab === 'pending' && d && <Pending d={d} now={Date.now()} />}
        {tab === 'stack' && <CallStack ns={ns} workflowId={workflowId} runId={runId} open={open} />}
        {tab === 'time-travel' && (
          <TimeTravel
            ns={ns}
            workflowId={workflowId}
            runId={runId}
            events={history.events}
            initialSeq={selectedSeq}
          />
        )}
        {tab === 'relationships' && (
          <Relationships ns={ns} workflowId={workflowId} runId={runId} model={model} />
        )}
      </div>
    </section>
  );
}

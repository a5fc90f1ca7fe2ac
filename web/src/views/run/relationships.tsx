// The run among its relatives: its parent, its children, and every run of the same workflow
// id (continue-as-new, reset, reopen chains) found by a list query on WorkflowId.
import { api, nsPath, qs } from '../../api.js';
import { ErrorBox } from '../../components/error-box.js';
import { StatusBadge } from '../../components/status-badge.js';
import { quote, time } from '../../format.js';
import { useLoad } from '../../hooks.js';
import { href } from '../../router.js';
import type { ListPage } from '../../types.js';
import type { RunModel } from './model.js';

export function Relationships(props: {
  ns: string;
  workflowId: string;
  runId: string;
  model: RunModel;
}) {
  const { ns, workflowId, model } = props;
  const runs = useLoad(
    (signal) =>
      api<ListPage>(
        'GET',
        nsPath(
          ns,
          `/workflows${qs({ query: `WorkflowId = ${quote(workflowId)} ORDER BY StartTime`, pageSize: 200 })}`,
        ),
        { signal },
      ),
    [ns, workflowId],
  );
  const s: Record<string, unknown> = model.started ?? {};
  const parent = s.parent as { namespace: string; workflowId: string; runId: string } | undefined;
  const from = ['continuedFromRunId', 'resetFromRunId', 'reopenedFromRunId'].flatMap((k) =>
    typeof s[k] === 'string'
      ? [
          {
            how: k.replace('FromRunId', '').replace('continued', 'continued as new'),
            runId: s[k],
          },
        ]
      : [],
  );
  const next = model.closed?.newRunId;
  return (
    <section aria-label="Relationships">
      <h3>Parent</h3>
      {parent ? (
        <p>
          <a href={href.run(parent.namespace, parent.workflowId, parent.runId)}>
            {parent.workflowId}
          </a>{' '}
          <span class="muted">run {parent.runId}</span>
        </p>
      ) : (
        <p class="muted">none (started directly)</p>
      )}
      <h3>Children ({model.children.length})</h3>
      {model.children.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <ul>
          {model.children.map((c) => (
            <li key={c.seq}>
              {c.runId ? (
                <a href={href.run(c.namespace || ns, c.workflowId, c.runId)}>{c.workflowId}</a>
              ) : (
                c.workflowId
              )}{' '}
              <span class="muted">{c.outcome}</span>
            </li>
          ))}
        </ul>
      )}
      <h3>Runs of {workflowId}</h3>
      {from.map((f) => (
        <p key={f.runId}>
          This run {f.how} from <a href={href.run(ns, workflowId, f.runId)}>{f.runId}</a>.
        </p>
      ))}
      {typeof next === 'string' && (
        <p>
          Continued in <a href={href.run(ns, workflowId, next)}>{next}</a>.
        </p>
      )}
      <ErrorBox error={runs.error} />
      <ol class="chain" data-testid="run-chain">
        {runs.data?.items.map((r) => (
          <li key={r.runId}>
            {r.runId === props.runId ? (
              <strong>{r.runId} (this run)</strong>
            ) : (
              <a href={href.run(ns, r.workflowId, r.runId)}>{r.runId}</a>
            )}{' '}
            <StatusBadge status={r.status} /> <span class="muted">started {time(r.startTime)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

// The run at a glance: status, type, ids, version, parent and children, timeouts, memo,
// search attributes and the trace id the start carried.
import type { ComponentChildren } from 'preact';
import { JsonView } from '../../components/json-view.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TraceId } from '../../components/trace-link.js';
import { duration, time } from '../../format.js';
import { readable, traceIdOf } from '../../payload.js';
import { href } from '../../router.js';
import type { Description } from '../../types.js';
import type { RunModel } from './model.js';

export function Summary({ d, model }: { d: Description; model: RunModel }) {
  const s = model.started ?? ({} as Record<string, unknown>);
  const parent = s.parent as { namespace: string; workflowId: string; runId: string } | undefined;
  const traceId = traceIdOf(s.headers);
  const ms = (v: unknown): string | undefined => (typeof v === 'number' ? duration(v) : undefined);
  const result = model.closed?.result ?? model.closed?.failure;
  return (
    <section aria-label="Summary" class="summary">
      <dl class="kv">
        <Row k="Status">
          <StatusBadge status={d.status} />
          {d.stuck && (
            <span class="badge warn" title={d.stuck.reason}>
              stuck since {time(d.stuck.since)}: {d.stuck.reason}
            </span>
          )}
        </Row>
        <Row k="Workflow type">{d.workflowType}</Row>
        <Row k="Workflow id">
          <code>{d.workflowId}</code>
        </Row>
        <Row k="Run id">
          <code>{d.runId}</code>
        </Row>
        <Row k="Task queue">{d.taskQueue}</Row>
        <Row k="Version (pinned)">
          <code title={d.version}>{d.version}</code>
        </Row>
        <Row k="Started">{time(d.startTime)}</Row>
        <Row k="Closed">
          {time(d.closeTime)}
          {d.closeTime
            ? ` (took ${duration(Date.parse(d.closeTime) - Date.parse(d.startTime))})`
            : ''}
        </Row>
        <Row k="History length">{d.historyLength} events</Row>
        {parent && (
          <Row k="Parent">
            <a href={href.run(parent.namespace, parent.workflowId, parent.runId)}>
              {parent.workflowId}
            </a>
          </Row>
        )}
        {model.children.length > 0 && (
          <Row k="Children">
            {model.children.map((c, i) => (
              <span key={c.seq}>
                {i > 0 && ', '}
                {c.runId ? (
                  <a href={href.run(c.namespace || d.namespace, c.workflowId, c.runId)}>
                    {c.workflowId}
                  </a>
                ) : (
                  c.workflowId
                )}
              </span>
            ))}
          </Row>
        )}
        {(s.executionTimeoutMs !== undefined || s.runTimeoutMs !== undefined) && (
          <Row k="Timeouts">
            {[
              ms(s.executionTimeoutMs) && `execution ${ms(s.executionTimeoutMs)}`,
              ms(s.runTimeoutMs) && `run ${ms(s.runTimeoutMs)}`,
            ]
              .filter(Boolean)
              .join(', ')}
          </Row>
        )}
        {traceId && (
          <Row k="Trace id">
            <TraceId traceId={traceId} />
          </Row>
        )}
      </dl>
      {s.args !== undefined && <Block title="Input" value={readable(s.args)} />}
      {result !== undefined && (
        <Block title={model.closed?.failure ? 'Failure' : 'Result'} value={readable(result)} />
      )}
      <Block title="Search attributes" value={d.searchAttributes} />
      <Block title="Memo" value={d.memo} />
    </section>
  );
}

function Row({ k, children }: { k: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{children}</dd>
    </>
  );
}

function Block({ title, value }: { title: string; value: unknown }) {
  const empty = typeof value === 'object' && value !== null && Object.keys(value).length === 0;
  return (
    <>
      <h3>{title}</h3>
      {empty ? <p class="muted">none</p> : <JsonView value={value} label={title} />}
    </>
  );
}

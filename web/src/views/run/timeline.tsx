// The run on a time axis (hand-written SVG): one lane per activity (its attempts and any
// backoff before the next one), timer and child workflow, with signals and updates marked
// along the top. Each bar links to its event in the history.
import { duration, time } from '../../format.js';
import { href } from '../../router.js';
import type { PendingActivity } from '../../types.js';
import type { RunModel, Span } from './model.js';

const LABEL_W = 200;
const WIDTH = 1000;
const LANE = 22;
const TOP = 46;

interface Lane {
  readonly span: Span;
  readonly kind: 'activity' | 'timer' | 'child';
  readonly pending?: PendingActivity;
}

export function Timeline(props: {
  ns: string;
  workflowId: string;
  runId: string;
  model: RunModel;
  pending: readonly PendingActivity[];
  now: number;
}) {
  const { model } = props;
  const lanes: Lane[] = [
    ...model.activities.map((span) => ({
      span,
      kind: 'activity' as const,
      ...pendingOf(span, props.pending),
    })),
    ...model.timers.map((span) => ({ span, kind: 'timer' as const })),
    ...model.children.map((span) => ({ span, kind: 'child' as const })),
  ].sort((a, b) => a.span.start - b.span.start || a.span.seq - b.span.seq);
  const open = model.closed === undefined;
  const backoffEnds = lanes.map((l) =>
    l.pending?.nextAttemptAt ? Date.parse(l.pending.nextAttemptAt) : 0,
  );
  const t0 = model.first;
  const t1 = Math.max(model.last, open ? props.now : 0, ...backoffEnds, t0 + 1);
  const x = (t: number): number => LABEL_W + ((t - t0) / (t1 - t0)) * (WIDTH - LABEL_W - 10);
  const height = TOP + lanes.length * LANE + 20;
  const link = (seq: number): string =>
    `${href.run(props.ns, props.workflowId, props.runId, 'history')}&seq=${seq}`;
  if (model.first === 0) return <p class="muted">No events yet.</p>;
  return (
    <figure class="timeline">
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="group"
        aria-label={`Timeline: ${model.activities.length} activities, ${model.timers.length} timers, ${model.children.length} child workflows, ${model.marks.length} signals and updates over ${duration(t1 - t0)}`}
        data-testid="timeline"
      >
        <Axis t0={t0} t1={t1} x={x} height={height} />
        {model.marks.map((m) => (
          <a key={m.seq} href={link(m.seq)} class={`mark mark-${m.kind}`}>
            <title>{`${m.label} at ${time(m.at)} (event ${m.seq})`}</title>
            <path d={`M${x(m.at)},${TOP - 14} l-5,-8 h10 z`} />
            <line x1={x(m.at)} x2={x(m.at)} y1={TOP - 6} y2={height - 20} />
          </a>
        ))}
        {lanes.map((lane, i) => (
          <LaneRow
            key={lane.span.seq}
            lane={lane}
            y={TOP + i * LANE}
            x={x}
            end={open ? props.now : model.last}
            href={link(lane.span.seq)}
          />
        ))}
      </svg>
      <figcaption class="legend muted">
        <span class="key completed">completed</span>{' '}
        <span class="key failed">failed / timed out</span> <span class="key open">running</span>{' '}
        <span class="key backoff">waiting to retry</span> <span class="key signal">signal</span>{' '}
        <span class="key update">update</span>
      </figcaption>
    </figure>
  );
}

function pendingOf(span: Span, pending: readonly PendingActivity[]): { pending?: PendingActivity } {
  if (span.outcome !== 'open') return {};
  const p = pending.find((a) => a.activityType === span.label);
  return p ? { pending: p } : {};
}

function Axis(props: { t0: number; t1: number; x: (t: number) => number; height: number }) {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => props.t0 + f * (props.t1 - props.t0));
  return (
    <g class="axis">
      {ticks.map((t, i) => (
        <g key={i}>
          <line x1={props.x(t)} x2={props.x(t)} y1={16} y2={props.height - 20} />
          <text x={props.x(t)} y={12} text-anchor={i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}>
            {i === 0 ? time(t) : `+${duration(t - props.t0)}`}
          </text>
        </g>
      ))}
    </g>
  );
}

function LaneRow(props: {
  lane: Lane;
  y: number;
  x: (t: number) => number;
  end: number;
  href: string;
}) {
  const { span, kind, pending } = props.lane;
  const x1 = props.x(span.start);
  const retryAt = pending?.nextAttemptAt ? Date.parse(pending.nextAttemptAt) : undefined;
  const runningUntil = span.end ?? props.end;
  const x2 = Math.max(props.x(runningUntil), x1 + 3);
  const attempts = span.attempt ?? pending?.attempt;
  const title = [
    `${kind} ${span.label} (event ${span.seq})`,
    `${span.outcome.replace('_', ' ')}, ${duration(runningUntil - span.start)}`,
    attempts && attempts > 1 ? `attempt ${attempts}` : '',
    pending?.lastFailure ? `last failure: ${pending.lastFailure.message}` : '',
    span.failure ? `failure: ${span.failure.message}` : '',
    retryAt ? `next attempt at ${time(retryAt)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <a
      href={props.href}
      class={`lane lane-${kind} outcome-${span.outcome}`}
      data-testid={`lane-${kind}`}
    >
      <title>{title}</title>
      <text x={4} y={props.y + 15} class="lane-label">
        {`${span.label}${attempts && attempts > 1 ? ` ×${attempts}` : ''}`}
      </text>
      <rect x={x1} y={props.y + 4} width={x2 - x1} height={LANE - 8} rx={3} class="bar" />
      {retryAt !== undefined && retryAt > runningUntil && (
        <line
          x1={x2}
          x2={props.x(retryAt)}
          y1={props.y + LANE / 2}
          y2={props.y + LANE / 2}
          class="backoff"
        />
      )}
    </a>
  );
}

// The invariants every trial must hold, checked from the evidence it left: the store's
// histories, the workload's acknowledgements, the activities' side effects, the deaths seen by
// the supervisor and a replay of every history. Each broken invariant is a violation with a
// detail line; the figures say how much was checked.
import { isDeepStrictEqual } from 'node:util';
import { JsonPayloadConverter, type HistoryEvent, type Payload } from '../src/core/index.js';
import type { ReplayResult } from '../src/testing/index.js';
import { historyShapeProblems, terminalTypes, type RunHistory } from '../test/support/histories.js';
import type { AckLine, EffectLine } from './journal.js';
import type { Death } from './supervisor.js';

export type InvariantName =
  | 'process-death'
  | 'lost-ack'
  | 'duplicate-message'
  | 'activity-reexecuted'
  | 'activity-completed-twice'
  | 'activity-effect-missing'
  | 'history-shape'
  | 'replay'
  | 'unfinished'
  | 'harness';

export interface Violation {
  readonly invariant: InvariantName;
  readonly detail: string;
}

export interface Evidence {
  readonly histories: readonly RunHistory[];
  readonly acks: readonly AckLine[];
  readonly effects: readonly EffectLine[];
  readonly deaths: readonly Death[];
  readonly replay: readonly ReplayResult[];
  /** Why the workload did not finish, when it did not. */
  readonly unfinished?: string;
  /**
   * When an activity completion was recorded, on the scale of the effect lines' `at`: an
   * execution that started later is a re-execution. Default: the event's `recordedAt` (the
   * torture harness's wall time); the simulator passes its store commit order.
   */
  readonly completionTime?: (run: RunHistory['run'], completed: Of<'ActivityCompleted'>) => number;
  /**
   * The terminal events that may end the runs of a workflow once the workload finished.
   * Default: `WorkflowCompleted` only.
   */
  readonly allowedEnds?: (workflowId: string) => readonly string[];
}

export interface Verdict {
  readonly violations: Violation[];
  readonly figures: Record<string, number>;
}

const converter = new JsonPayloadConverter();
const decode = (p: Payload | undefined): unknown => (p ? converter.fromPayload(p) : undefined);

export type Of<T extends HistoryEvent['type']> = Extract<HistoryEvent, { type: T }>;
const ofType = <T extends HistoryEvent['type']>(
  events: readonly HistoryEvent[],
  type: T,
): Of<T>[] => events.filter((e): e is Of<T> => e.type === type);

/** The line of a crash output that says what killed the process (else its last lines). */
function crashLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const error = lines.find((l) => /^(\w*Error\b|error:|Uncaught)/.test(l));
  return (error ?? lines.slice(-3).join(' | ')).slice(0, 600);
}

function deathViolations(deaths: readonly Death[]): Violation[] {
  return deaths.map((d) => ({
    invariant: 'process-death',
    detail: `${d.process} (pid ${d.pid}) exited with ${d.signal ?? `code ${d.code}`}: ${crashLine(d.stderrTail)}`,
  }));
}

/** Events of every run of each workflow id. */
function byWorkflow(histories: readonly RunHistory[]): Map<string, HistoryEvent[]> {
  const out = new Map<string, HistoryEvent[]>();
  for (const h of histories)
    out.set(h.run.workflowId, [...(out.get(h.run.workflowId) ?? []), ...h.events]);
  return out;
}

/** Every acknowledged start, signal and update is recorded, once; results match. */
function ackViolations(evidence: Evidence): Violation[] {
  const out: Violation[] = [];
  const events = byWorkflow(evidence.histories);
  for (const ack of evidence.acks) {
    if (!('workflowId' in ack)) continue;
    const recorded = events.get(ack.workflowId) ?? [];
    const lost = (what: string): void => {
      out.push({ invariant: 'lost-ack', detail: `${ack.id}: acknowledged, ${what}` });
    };
    if (ack.op === 'start') {
      if (ofType(recorded, 'WorkflowStarted').length === 0) lost('no run recorded');
    } else if (ack.op === 'signal') {
      const n = ofType(recorded, 'SignalReceived').filter((e) => e.requestId === ack.id).length;
      if (n === 0) lost('no SignalReceived');
    } else if (ack.op === 'update') {
      const done = ofType(recorded, 'UpdateCompleted').filter((e) => e.updateId === ack.id);
      if (ofType(recorded, 'UpdateAccepted').every((e) => e.updateId !== ack.id))
        lost('no UpdateAccepted');
      else if (done.length === 0) lost('no UpdateCompleted');
      else if (!isDeepStrictEqual(decode(done[0]!.result), ack.result))
        lost(
          `recorded result ${JSON.stringify(decode(done[0]!.result))} ≠ ${JSON.stringify(ack.result)}`,
        );
    } else if (ack.op === 'result') {
      const completed = ofType(recorded, 'WorkflowCompleted');
      if (!completed.some((e) => isDeepStrictEqual(decode(e.result), ack.result)))
        lost('no WorkflowCompleted with that result');
    }
  }
  return out;
}

/** No signal request id or update id is recorded twice in a run. */
function duplicateMessages(histories: readonly RunHistory[]): Violation[] {
  const out: Violation[] = [];
  for (const { run, events } of histories) {
    const ids = [
      ...ofType(events, 'SignalReceived').flatMap((e) => (e.requestId ? [e.requestId] : [])),
      ...ofType(events, 'UpdateAccepted').map((e) => e.updateId),
    ];
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id))
        out.push({
          invariant: 'duplicate-message',
          detail: `${run.workflowId}: ${id} recorded twice`,
        });
      seen.add(id);
    }
  }
  return out;
}

interface ActivityFigures {
  completed: number;
  executions: number;
  duplicated: number;
}

/**
 * A recorded completion has a side effect behind it, is recorded once, and its activity never
 * starts again after it was recorded. (An execution whose completion never got recorded may
 * run again — at least once — and is only counted, as `duplicated`.)
 */
function activityViolations(evidence: Evidence, figures: ActivityFigures): Violation[] {
  const out: Violation[] = [];
  const effects = new Map<string, EffectLine[]>();
  for (const e of evidence.effects) effects.set(e.key, [...(effects.get(e.key) ?? []), e]);
  for (const { run, events } of evidence.histories) {
    const scheduled = new Map(ofType(events, 'ActivityScheduled').map((e) => [e.seq, e]));
    const completions = new Map<number, Of<'ActivityCompleted'>[]>();
    for (const c of ofType(events, 'ActivityCompleted'))
      completions.set(c.scheduledSeq, [...(completions.get(c.scheduledSeq) ?? []), c]);
    for (const [seq, done] of completions) {
      const key = String(decode(scheduled.get(seq)?.input[0]));
      const lines = effects.get(key) ?? [];
      const starts = lines.filter((l) => l.phase === 'start');
      figures.completed++;
      figures.executions += starts.length;
      if (lines.filter((l) => l.phase === 'done').length > 1) figures.duplicated++;
      if (done.length > 1)
        out.push({ invariant: 'activity-completed-twice', detail: `${run.workflowId} ${key}` });
      if (!lines.some((l) => l.phase === 'done'))
        out.push({ invariant: 'activity-effect-missing', detail: `${run.workflowId} ${key}` });
      const recorded = evidence.completionTime?.(run, done[0]!) ?? done[0]!.recordedAt;
      const after = starts.filter((s) => s.at > recorded);
      if (after.length > 0)
        out.push({
          invariant: 'activity-reexecuted',
          detail: `${key}: ${after.length} execution(s) started after its completion was recorded`,
        });
    }
  }
  return out;
}

function shapeViolations(evidence: Evidence): Violation[] {
  const out: Violation[] = [];
  for (const { run, events } of evidence.histories) {
    for (const p of historyShapeProblems(events))
      out.push({ invariant: 'history-shape', detail: `${run.workflowId}/${run.runId}: ${p}` });
    const allowed = evidence.allowedEnds?.(run.workflowId) ?? ['WorkflowCompleted'];
    const ends = terminalTypes(events);
    if (evidence.unfinished === undefined && !(ends.length === 1 && allowed.includes(ends[0]!)))
      out.push({
        invariant: 'history-shape',
        detail: `${run.workflowId}: ends with [${ends.join()}] after the workload finished`,
      });
  }
  return out;
}

function replayViolations(results: readonly ReplayResult[]): Violation[] {
  return results.flatMap((r) =>
    r.ok ? [] : [{ invariant: 'replay' as const, detail: `${r.workflowId}: ${r.error.message}` }],
  );
}

/** Checks every invariant; an empty `violations` means the trial passed. */
export function checkInvariants(evidence: Evidence): Verdict {
  const activities: ActivityFigures = { completed: 0, executions: 0, duplicated: 0 };
  const open = evidence.histories.filter((h) => terminalTypes(h.events).length === 0).length;
  const violations = [
    ...deathViolations(evidence.deaths),
    ...ackViolations(evidence),
    ...duplicateMessages(evidence.histories),
    ...activityViolations(evidence, activities),
    ...shapeViolations(evidence),
    ...replayViolations(evidence.replay),
    ...(evidence.unfinished === undefined
      ? []
      : [
          {
            invariant: 'unfinished' as const,
            detail: `${evidence.unfinished} (${open} runs open)`,
          },
        ]),
  ];
  const count = (op: string): number => evidence.acks.filter((a) => a.op === op).length;
  return {
    violations,
    figures: {
      runs: evidence.histories.length,
      openRuns: open,
      events: evidence.histories.reduce((n, h) => n + h.events.length, 0),
      ackedStarts: count('start'),
      ackedSignals: count('signal'),
      ackedUpdates: count('update'),
      results: count('result'),
      activitiesCompleted: activities.completed,
      activityExecutions: activities.executions,
      activitiesRunMoreThanOnce: activities.duplicated,
      replayed: evidence.replay.filter((r) => r.ok).length,
      deaths: evidence.deaths.length,
    },
  };
}

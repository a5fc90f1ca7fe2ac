/**
 * The torture harness's invariant checker on made-up evidence: each broken invariant is found,
 * and a clean trial has none (a checker that cannot fail would make every trial pass).
 */
import { describe, expect, it } from 'vitest';
import { JsonPayloadConverter, type HistoryEvent } from '../../src/core/index.js';
import type { RunInfo } from '../../src/store/index.js';
import type { RunHistory } from '../support/histories.js';
import { checkInvariants, type InvariantName } from '../../torture/invariants.js';
import type { AckLine, EffectLine } from '../../torture/journal.js';

const p = (v: unknown) => new JsonPayloadConverter().toPayload(v);

/** One run of `wf`: started, one activity completed at t=1000, a signal, an update, completed. */
function run(wf: string): RunHistory {
  const events = [
    {
      type: 'WorkflowStarted',
      workflowType: 'tortured',
      taskQueue: 'default',
      args: [],
      version: 'v',
    },
    {
      type: 'ActivityScheduled',
      activityId: '1',
      activityType: 'effect',
      input: [p(`${wf}:a`)],
      options: {},
    },
    { type: 'ActivityCompleted', scheduledSeq: 2, result: p(`${wf}:a`), attempt: 1 },
    { type: 'SignalReceived', signalName: 'note', args: [p('x')], requestId: `signal:${wf}:0` },
    { type: 'UpdateAccepted', updateId: `update:${wf}:0`, updateName: 'bump', args: [p(1)] },
    { type: 'UpdateCompleted', acceptedSeq: 5, updateId: `update:${wf}:0`, result: p(1) },
    { type: 'WorkflowCompleted', result: p('ok') },
  ].map((e, i) => ({ ...e, seq: i + 1, recordedAt: 1000, v: 1 })) as HistoryEvent[];
  return { run: { workflowId: wf, runId: `r-${wf}` } as RunInfo, events };
}

const acks = (wf: string): AckLine[] =>
  [
    { op: 'start', id: `start:${wf}`, workflowId: wf },
    { op: 'signal', id: `signal:${wf}:0`, workflowId: wf },
    { op: 'update', id: `update:${wf}:0`, workflowId: wf, result: 1 },
    { op: 'result', id: `result:${wf}`, workflowId: wf, result: 'ok' },
  ].map((a) => ({ ...a, pid: 1, at: 0 }) as AckLine);

const effects = (key: string, ...at: number[]): EffectLine[] =>
  at.flatMap((t) => [
    { key, phase: 'start' as const, pid: 1, at: t },
    { key, phase: 'done' as const, pid: 1, at: t + 20 },
  ]);

function clean() {
  return {
    histories: [run('wf-0')],
    acks: acks('wf-0'),
    effects: effects('wf-0:a', 900),
    deaths: [],
    replay: [{ workflowId: 'wf-0', runId: 'r-wf-0', ok: true as const, activations: 3 }],
  };
}

const found = (evidence: Parameters<typeof checkInvariants>[0]): InvariantName[] =>
  checkInvariants(evidence).violations.map((v) => v.invariant);

describe('torture invariants', () => {
  it('a clean trial has no violation', () => {
    const verdict = checkInvariants(clean());
    expect(verdict.violations).toEqual([]);
    expect(verdict.figures).toMatchObject({ runs: 1, ackedSignals: 1, activitiesCompleted: 1 });
  });

  it('finds a process death', () => {
    const death = { process: 'embedded engine', pid: 7, code: 1, signal: null, at: 0 };
    const verdict = checkInvariants({
      ...clean(),
      deaths: [
        { ...death, stderrTail: 'at x\n\nError: Connection terminated unexpectedly\n  at y' },
      ],
    });
    expect(verdict.violations).toEqual([
      {
        invariant: 'process-death',
        detail:
          'embedded engine (pid 7) exited with code 1: Error: Connection terminated unexpectedly',
      },
    ]);
  });

  it('finds acknowledged starts, signals and updates that the store lost', () => {
    const e = clean();
    const lost = run('wf-0');
    lost.events.splice(3, 1); // the SignalReceived
    expect(found({ ...e, histories: [lost] })).toContain('lost-ack');
    expect(found({ ...e, acks: [...e.acks, ...acks('wf-9').slice(0, 1)] })).toEqual(['lost-ack']);
    const wrong = e.acks.map((a) => (a.op === 'update' ? { ...a, result: 2 } : a));
    expect(found({ ...e, acks: wrong })).toEqual(['lost-ack']);
  });

  it('finds a message recorded twice', () => {
    const twice = run('wf-0');
    twice.events.splice(6, 0, { ...twice.events[3]!, seq: 7 });
    twice.events.forEach((ev, i) => Object.assign(ev, { seq: i + 1 }));
    expect(found({ ...clean(), histories: [twice] })).toEqual(['duplicate-message']);
  });

  it('finds an activity started again after its completion was recorded', () => {
    expect(found({ ...clean(), effects: effects('wf-0:a', 900, 1500) })).toEqual([
      'activity-reexecuted',
    ]);
  });

  it('counts, without failing, an activity that ran again before any completion was recorded', () => {
    const verdict = checkInvariants({ ...clean(), effects: effects('wf-0:a', 500, 900) });
    expect(verdict.violations).toEqual([]);
    expect(verdict.figures.activitiesRunMoreThanOnce).toBe(1);
  });

  it('finds a completion without a side effect, and a completion recorded twice', () => {
    expect(found({ ...clean(), effects: [] })).toEqual(['activity-effect-missing']);
    const twice = run('wf-0');
    twice.events.splice(3, 0, { ...twice.events[2]! });
    twice.events.forEach((ev, i) => Object.assign(ev, { seq: i + 1 }));
    expect(found({ ...clean(), histories: [twice] })).toEqual(['activity-completed-twice']);
  });

  it('finds a seq gap, events after the terminal, an open run and a replay failure', () => {
    const gap = run('wf-0');
    Object.assign(gap.events[4]!, { seq: 9 });
    expect(found({ ...clean(), histories: [gap] })).toEqual(['history-shape']);
    const open = run('wf-0');
    open.events.pop();
    const noResult = clean().acks.filter((a) => a.op !== 'result');
    expect(found({ ...clean(), histories: [open], acks: noResult })).toEqual(['history-shape']);
    expect(
      found({ ...clean(), histories: [open], acks: noResult, unfinished: 'deadline' }),
    ).toEqual(['unfinished']);
    const replay = [{ workflowId: 'wf-0', runId: 'r', ok: false as const, error: new Error('nd') }];
    expect(found({ ...clean(), replay })).toEqual(['replay']);
  });
});

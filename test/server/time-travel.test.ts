// Time travel over the API: a run's state as of each workflow-task boundary (open and closed
// runs), the stack trace, the boundary list, per-query failures, refusals, and the reader role.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '../../src/client/index.js';
import {
  JsonPayloadConverter,
  stampEvent,
  type HistoryEvent,
  type NewEvent,
} from '../../src/core/index.js';
import { waitFor } from '../support/wait.js';
import { call, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let reader: string;

beforeAll(async () => {
  t = await startTestServer({ auth: true, roles: ['reader', 'operator'] });
  reader = t.tokens.reader!;
});
afterAll(async () => {
  await t.stop();
});

const path = (id: string): string =>
  `/api/v1/namespaces/default/workflows/${encodeURIComponent(id)}/time-travel`;

interface Travelled {
  atSeq: number;
  boundarySeq: number;
  stackTrace: string;
  queries: { name: string; ok: boolean; result?: unknown; code?: string; failure?: unknown }[];
  boundaries: number[];
}

async function travel(id: string, body: Record<string, unknown>): Promise<Travelled> {
  const res = await call(t.url, 'POST', path(id), { body, token: reader });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as unknown as Travelled;
}

const taskSeqs = (events: readonly HistoryEvent[]): number[] =>
  events.filter((e) => e.type === 'WorkflowTaskCompleted').map((e) => e.seq);

/** A counter from 1, signalled +2 then +3, each applied before the next. */
async function countedRun(id: string): Promise<{ runId: string; events: HistoryEvent[] }> {
  const h = await t.engine.start('counter', { workflowId: id, args: [1] });
  for (const [k, total] of [
    [2, 3],
    [3, 6],
  ] as const) {
    await h.signal('add', k);
    await waitFor(async () => (await h.query('count')) === total, { what: `count ${total}` });
  }
  // The last signal's workflow task is committed before the history is read.
  await waitFor(
    async () => (await h.fetchHistory()).events.at(-1)?.type === 'WorkflowTaskCompleted',
  );
  return { runId: h.runId!, events: [...(await h.fetchHistory()).events] };
}

describe('time travel', () => {
  it('answers queries from the state at each workflow-task boundary of an open run', async () => {
    const { events } = await countedRun('tt-open');
    const tasks = taskSeqs(events);
    expect(tasks.length).toBe(3);
    const counts: unknown[] = [];
    for (const seq of tasks) {
      const out = await travel('tt-open', { atSeq: seq, queries: [{ name: 'count' }] });
      expect(out.atSeq).toBe(seq);
      expect(out.boundarySeq).toBe(seq);
      expect(out.boundaries).toEqual(tasks);
      expect(out.queries).toEqual([{ name: 'count', ok: true, result: out.queries[0]!.result }]);
      counts.push(out.queries[0]!.result);
    }
    expect(counts).toEqual([1, 3, 6]);

    // Between boundaries: the state of the last boundary at or before the seq.
    const signalled = events.find((e) => e.type === 'SignalReceived')!.seq;
    const between = await travel('tt-open', { atSeq: signalled, queries: [{ name: 'count' }] });
    expect(between.boundarySeq).toBe(tasks[0]);
    expect(between.queries[0]!.result).toBe(1);
    // Before the first boundary: the state after the first workflow task.
    const first = await travel('tt-open', { atSeq: 1, queries: [{ name: 'count' }] });
    expect(first.boundarySeq).toBe(tasks[0]);
    expect(first.queries[0]!.result).toBe(1);

    // The run itself is untouched: nothing recorded, its live state unchanged.
    const after = await t.engine.getHandle('tt-open').fetchHistory();
    expect(after.events.length).toBe(events.length);
    expect(await t.engine.getHandle('tt-open').query('count')).toBe(6);
  });

  it('gives the stack trace at that point and the per-query failure of an unknown query', async () => {
    const { events } = await countedRun('tt-stack');
    const out = await travel('tt-stack', {
      atSeq: events.length,
      queries: [{ name: 'nope' }, { name: 'count' }, { name: '__stack_trace' }],
    });
    expect(out.stackTrace).toMatch(/condition/);
    expect(out.queries[0]).toMatchObject({ name: 'nope', ok: false, code: 'unknown_query' });
    expect(JSON.stringify(out.queries[0]!.failure)).toContain('count');
    expect(out.queries[1]).toEqual({ name: 'count', ok: true, result: 6 });
    expect(out.queries[2]).toMatchObject({ name: '__stack_trace', ok: true });
    expect(String(out.queries[2]!.result)).toMatch(/condition/);
  });

  it('travels in a closed run, up to its completion', async () => {
    const { runId } = await countedRun('tt-closed');
    const h = t.engine.getHandle('tt-closed');
    await h.signal('finish');
    expect(await h.result()).toBe(6);
    const events = (await h.fetchHistory()).events;
    const completed = events.at(-1)!;
    expect(completed.type).toBe('WorkflowCompleted');

    const last = await travel('tt-closed', {
      atSeq: completed.seq,
      runId,
      queries: [{ name: 'count' }],
    });
    expect(last.boundarySeq).toBe(completed.seq);
    expect(last.boundaries).toEqual([...taskSeqs(events), completed.seq]);
    expect(last.queries[0]!.result).toBe(6);
    const early = await travel('tt-closed', {
      atSeq: taskSeqs(events)[1]!,
      queries: [{ name: 'count' }],
    });
    expect(early.queries[0]!.result).toBe(3);
  });

  it('refuses an atSeq past the history, naming atSeq, and an unknown run', async () => {
    const { events } = await countedRun('tt-bad');
    const past = await call(t.url, 'POST', path('tt-bad'), {
      body: { atSeq: events.length + 5 },
      token: reader,
    });
    expect(past.status).toBe(400);
    expect(past.body).toMatchObject({ code: 'invalid_argument', details: { field: 'atSeq' } });
    expect(String(past.body.message)).toContain('atSeq');
    const zero = await call(t.url, 'POST', path('tt-bad'), { body: { atSeq: 0 }, token: reader });
    expect(zero.status).toBe(400);
    expect(zero.body.code).toBe('invalid_argument');
    const missing = await call(t.url, 'POST', path('tt-none'), {
      body: { atSeq: 1 },
      token: reader,
    });
    expect(missing.status).toBe(404);
  });

  it('is open to readers, needs a key, and follows firstExecutionRunId', async () => {
    const { runId, events } = await countedRun('tt-auth');
    const anonymous = await call(t.url, 'POST', path('tt-auth'), { body: { atSeq: 1 } });
    expect(anonymous.status).toBe(401);
    const chained = await travel('tt-auth', {
      atSeq: events.length,
      firstExecutionRunId: runId,
      queries: [{ name: 'count' }],
    });
    expect(chained.queries[0]!.result).toBe(6);
  });

  it('is offered by the remote client and the in-process handle alike', async () => {
    const { events } = await countedRun('tt-clients');
    const at = taskSeqs(events)[1]!;
    const connection = await Connection.connect({ address: t.url, apiKey: reader });
    const remote = await new Client({ connection })
      .getHandle('tt-clients')
      .timeTravel({ atSeq: at, queries: [{ name: 'count' }] });
    const local = await t.engine
      .getHandle('tt-clients')
      .timeTravel({ atSeq: at, queries: [{ name: { name: 'count' } }] });
    expect(remote.queries[0]).toEqual({ name: 'count', ok: true, result: 3 });
    expect(local).toEqual(remote);
  });

  it('shows the state before the first task of a run that has none, and refuses a history that no longer replays', async () => {
    const version = (await (await t.engine.start('counter', { args: [0] })).describe()).version;
    const json = new JsonPayloadConverter();
    /** Writes a `counter` run's history straight into the store. */
    const write = async (workflowId: string, events: NewEvent[]): Promise<void> => {
      const run = { namespace: 'default', workflowId, runId: randomUUID() };
      const started: NewEvent = {
        type: 'WorkflowStarted',
        workflowType: 'counter',
        taskQueue: 'default',
        args: [json.toPayload(5)],
        version,
      };
      const stamped = [started, ...events].map((e, i) => stampEvent(e, i + 1, Date.now()));
      await t.engine.store.append(run, stamped, 0);
    };

    // Terminated before its first workflow task: the workflow function never ran.
    await write('tt-unstarted', [{ type: 'WorkflowTerminated', reason: 'at once' }]);
    const before = await travel('tt-unstarted', { atSeq: 2, queries: [{ name: 'count' }] });
    expect(before).toMatchObject({ atSeq: 2, boundarySeq: 1, boundaries: [] });
    expect(before.queries[0]).toMatchObject({ ok: false, code: 'unknown_query' });

    // A timer the code never starts: the replay to the second task diverges.
    await write('tt-diverged', [
      { type: 'WorkflowTaskCompleted' },
      { type: 'TimerStarted', timerId: '1', durationMs: 1000, fireAt: Date.now() + 1000 },
      { type: 'WorkflowTaskCompleted' },
      { type: 'WorkflowTerminated', reason: 'doctored' },
    ]);
    const fine = await travel('tt-diverged', { atSeq: 2, queries: [{ name: 'count' }] });
    expect(fine.queries[0]!.result).toBe(5);
    expect(fine.boundaries).toEqual([2, 4]);
    const refused = await call(t.url, 'POST', path('tt-diverged'), {
      body: { atSeq: 4 },
      token: reader,
    });
    expect(refused.body.code).toBe('query_failed');
    expect(String(refused.body.message)).toMatch(/does not replay/);
  });
});

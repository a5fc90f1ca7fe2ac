import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AionError, ErrorCode, HistoryEvent, Payload, RunKey } from '../../core/index.js';
import type { RunCommit, Store } from '../contract/index.js';
import { assertHead, rejectsWithCode } from './check.js';
import {
  DEFAULT_NS,
  event,
  FAILURE,
  jsonPayload,
  makeRunKey,
  outboxRow,
  signalEvent,
  startedEvent,
  startRun,
  T0,
  taskRow,
  timerRow,
} from './fixtures.js';
import type { StoreScenario } from './types.js';

/** The payload limit of the size scenarios: small, so oversize payloads stay cheap. */
const MAX = 64;

/** Opaque payload data of exactly `bytes` ASCII bytes. */
function ascii(bytes: number): Payload {
  return { encoding: 'binary/plain', data: 'x'.repeat(bytes) };
}

/** A run key that stays valid: nothing of it is written, so it is safe to read back. */
async function assertAbsent(store: Store, run: RunKey, what: string): Promise<void> {
  assert.deepStrictEqual(await store.readHistory(run), [], `${what}: history empty`);
  assert.equal(await store.headSeq(run), 0, `${what}: headSeq 0`);
  assert.equal(await store.getRun(run), undefined, `${what}: run absent`);
  assert.equal(
    await store.getCurrentRun(run.namespace, run.workflowId),
    undefined,
    `${what}: workflow id unclaimed`,
  );
}

/** Asserts `work` is refused with `code` and `run` (already started or not) is exactly as before. */
async function refusedUnchanged(
  store: Store,
  run: RunKey,
  work: () => Promise<unknown>,
  code: ErrorCode,
  what: string,
): Promise<AionError> {
  const history = await store.readHistory(run);
  const info = await store.getRun(run);
  const timers = await store.listTimers(run);
  const tasks = await store.listTasks(run);
  const error = await rejectsWithCode(work(), code, what);
  assert.deepStrictEqual(await store.readHistory(run), history, `${what}: history unchanged`);
  assert.deepStrictEqual(await store.getRun(run), info, `${what}: run row unchanged`);
  assert.deepStrictEqual(await store.listTimers(run), timers, `${what}: timers unchanged`);
  assert.deepStrictEqual(await store.listTasks(run), tasks, `${what}: tasks unchanged`);
  await assertHead(store, run, history.length, what);
  return error;
}

const badKeys: {
  readonly field: string;
  readonly what: string;
  readonly patch: Partial<RunKey>;
}[] = [
  { field: 'namespace', what: 'an empty namespace', patch: { namespace: '' } },
  { field: 'namespace', what: 'an upper-case namespace', patch: { namespace: 'Orders' } },
  { field: 'namespace', what: 'a namespace with a space', patch: { namespace: 'my orders' } },
  { field: 'namespace', what: 'a namespace starting with -', patch: { namespace: '-orders' } },
  { field: 'namespace', what: 'a 64-character namespace', patch: { namespace: 'n'.repeat(64) } },
  { field: 'workflowId', what: 'an empty workflow id', patch: { workflowId: '' } },
  { field: 'workflowId', what: 'a workflow id with a tab', patch: { workflowId: 'order\t1' } },
  {
    field: 'workflowId',
    what: 'a workflow id of 1001 characters',
    patch: { workflowId: 'w'.repeat(1001) },
  },
  { field: 'runId', what: 'an empty run id', patch: { runId: '' } },
  { field: 'runId', what: 'a run id that is not a UUID', patch: { runId: 'run-1' } },
  {
    field: 'runId',
    what: 'an upper-case UUID run id',
    patch: { runId: randomUUID().toUpperCase() },
  },
];

export const badInputScenarios: StoreScenario[] = [
  {
    name: 'bad input: an invalid namespace, workflow id or run id is invalid_argument naming the field and writes nothing',
    tags: ['history', 'validation', 'bad-input'],
    async run({ store }) {
      for (const { field, what, patch } of badKeys) {
        const run = { ...makeRunKey(), ...patch };
        const viaAppend = await rejectsWithCode(
          store.append(run, [startedEvent()], 0),
          'invalid_argument',
          `append with ${what}`,
        );
        assert.equal(viaAppend.details.field, field, `append with ${what}: details.field`);
        const viaCommit = await rejectsWithCode(
          store.commit([{ run, expectedSeq: 0, events: [startedEvent(), signalEvent(2, T0)] }]),
          'invalid_argument',
          `commit with ${what}`,
        );
        assert.equal(viaCommit.details.field, field, `commit with ${what}: details.field`);
        await assertAbsent(store, run, what);
      }
      assert.equal(await store.countRuns(DEFAULT_NS), 0, 'no run was created');
      assert.deepStrictEqual(await store.listOpenRuns({ limit: 100 }), [], 'no open run');
    },
  },
  {
    name: 'bad input: a batch with one invalid run key writes none of its commits',
    tags: ['history', 'validation', 'bad-input', 'batch'],
    async run({ store }) {
      const { run: existing } = await startRun(store);
      const good = makeRunKey();
      const bad = { ...makeRunKey(), runId: 'not-a-uuid' };
      for (const order of ['invalid last', 'invalid first'] as const) {
        const commits: RunCommit[] = [
          { run: good, expectedSeq: 0, events: [startedEvent()] },
          {
            run: existing,
            expectedSeq: 1,
            events: [signalEvent(2, T0)],
            timers: { upsert: [timerRow(existing, 't', T0 + 10)] },
          },
          { run: bad, expectedSeq: 0, events: [startedEvent()] },
        ];
        if (order === 'invalid first') commits.reverse();
        await refusedUnchanged(
          store,
          existing,
          () => store.commit(commits),
          'invalid_argument',
          `a batch with the ${order}`,
        );
        await assertAbsent(store, good, `the valid new run of a batch with the ${order}`);
        await assertAbsent(store, bad, `the invalid run of a batch with the ${order}`);
      }
      // The same valid commits go through on their own.
      const outcomes = await store.commit([
        { run: good, expectedSeq: 0, events: [startedEvent()] },
        { run: existing, expectedSeq: 1, events: [signalEvent(2, T0)] },
      ]);
      assert.deepStrictEqual(
        outcomes.map((o) => o.ok),
        [true, true],
      );
    },
  },
  {
    name: 'bad input: an oversize payload anywhere in an event is payload_too_large naming the event and writes nothing',
    tags: ['history', 'limits', 'bad-input'],
    limits: { maxPayloadBytes: MAX },
    // eslint-disable-next-line max-lines-per-function -- one scenario: each oversize field checked in turn, read top to bottom like the contract
    async run({ store }) {
      const big = ascii(MAX + 1);
      // A first commit: the refused start claims nothing.
      const fresh = makeRunKey();
      for (const [what, started] of [
        ['WorkflowStarted args', startedEvent({ args: [jsonPayload(1), big] })],
        ['WorkflowStarted memo', startedEvent({ memo: { ok: jsonPayload(1), big } })],
      ] as const) {
        const error = await rejectsWithCode(
          store.append(fresh, [started], 0),
          'payload_too_large',
          what,
        );
        assert.equal(error.details.seq, 1, `${what}: details.seq`);
        assert.equal(error.details.eventType, 'WorkflowStarted', `${what}: details.eventType`);
        assert.equal(error.details.limit, MAX, `${what}: details.limit`);
        assert.equal(error.details.bytes, MAX + 1, `${what}: details.bytes`);
        await assertAbsent(store, fresh, what);
      }

      const { run } = await startRun(store);
      const deepFailure = {
        ...FAILURE,
        details: [jsonPayload('fine')],
        cause: { ...FAILURE, cause: { ...FAILURE, details: [jsonPayload(1), big] } },
      };
      const cases: [string, HistoryEvent][] = [
        [
          'SignalReceived args',
          event(3, T0, { type: 'SignalReceived', signalName: 's', args: [big] }),
        ],
        [
          'ActivityScheduled input',
          event(3, T0, {
            type: 'ActivityScheduled',
            activityId: '1',
            activityType: 'charge',
            input: [big],
            options: { taskQueue: 'main', startToCloseTimeoutMs: 1000 },
          }),
        ],
        [
          'ActivityCompleted result',
          event(3, T0, { type: 'ActivityCompleted', scheduledSeq: 1, result: big, attempt: 1 }),
        ],
        [
          'ActivityFailed failure details deep in the cause chain',
          event(3, T0, {
            type: 'ActivityFailed',
            scheduledSeq: 1,
            failure: deepFailure,
            attempt: 1,
          }),
        ],
        [
          'ActivityCancelled heartbeat details',
          event(3, T0, { type: 'ActivityCancelled', scheduledSeq: 1, attempt: 1, details: big }),
        ],
        ['WorkflowCompleted result', event(3, T0, { type: 'WorkflowCompleted', result: big })],
        ['WorkflowFailed failure', event(3, T0, { type: 'WorkflowFailed', failure: deepFailure })],
        [
          'WorkflowContinuedAsNew args',
          event(3, T0, {
            type: 'WorkflowContinuedAsNew',
            newRunId: randomUUID(),
            workflowType: 'OrderWorkflow',
            args: [big],
            taskQueue: 'main',
          }),
        ],
        [
          'ChildWorkflowInitiated memo',
          event(3, T0, {
            type: 'ChildWorkflowInitiated',
            workflowId: 'child',
            runId: randomUUID(),
            namespace: DEFAULT_NS,
            workflowType: 'Child',
            args: [],
            taskQueue: 'main',
            version: 'v1',
            parentClosePolicy: 'TERMINATE',
            memo: { big },
          }),
        ],
        [
          'UpdateCompleted result',
          event(3, T0, { type: 'UpdateCompleted', acceptedSeq: 1, updateId: 'u', result: big }),
        ],
        [
          'MarkerRecorded details',
          event(3, T0, { type: 'MarkerRecorded', markerName: 'm', details: { big } }),
        ],
        ['MemoUpserted memo', event(3, T0, { type: 'MemoUpserted', memo: { gone: null, big } })],
      ];
      for (const [what, bad] of cases) {
        const error = await refusedUnchanged(
          store,
          run,
          () => store.append(run, [signalEvent(2, T0), bad], 1),
          'payload_too_large',
          what,
        );
        assert.equal(error.details.seq, 3, `${what}: details.seq`);
        assert.equal(error.details.eventType, bad.type, `${what}: details.eventType`);
        assert.match(error.message, new RegExp(`seq 3 \\(${bad.type}\\)`), `${what}: message`);
      }

      // The limit counts UTF-8 bytes of the data: 22 × '€' is 66 bytes in 22 characters.
      await refusedUnchanged(
        store,
        run,
        () =>
          store.append(
            run,
            [
              signalEvent(2, T0),
              event(3, T0, {
                type: 'SignalReceived',
                signalName: 'euro',
                args: [{ encoding: 'binary/plain', data: '€'.repeat(22) }],
              }),
            ],
            1,
          ),
        'payload_too_large',
        'multi-byte data over the limit',
      );
      // At the limit is fine, and search attribute values are not payloads.
      await store.append(
        run,
        [
          event(2, T0, { type: 'SignalReceived', signalName: 'max', args: [ascii(MAX)] }),
          event(3, T0, {
            type: 'SignalReceived',
            signalName: 'euro',
            args: [{ encoding: 'binary/plain', data: '€'.repeat(21) }],
          }),
          event(4, T0, {
            type: 'SearchAttributesUpserted',
            searchAttributes: { Note: { type: 'Keyword', value: 'k'.repeat(4 * MAX) } },
          }),
        ],
        1,
      );
      await assertHead(store, run, 4, 'payloads at the limit');
    },
  },
  {
    name: 'bad input: an oversize payload in the second commit of a batch writes neither commit',
    tags: ['history', 'limits', 'bad-input', 'batch'],
    limits: { maxPayloadBytes: MAX },
    async run({ store }) {
      const { run: existing } = await startRun(store);
      const fresh = makeRunKey();
      const big = ascii(MAX + 1);
      const refusedBatches: [string, RunCommit[]][] = [
        [
          'a new run whose start is oversize',
          [
            {
              run: existing,
              expectedSeq: 1,
              events: [signalEvent(2, T0)],
              timers: { upsert: [timerRow(existing, 't', T0 + 10)] },
              tasks: { enqueue: [taskRow(existing, 'a')] },
            },
            { run: fresh, expectedSeq: 0, events: [startedEvent({ args: [big] })] },
          ],
        ],
        [
          'a second commit to the run the first one starts',
          [
            { run: fresh, expectedSeq: 0, events: [startedEvent()] },
            {
              run: fresh,
              expectedSeq: 1,
              events: [event(2, T0, { type: 'SignalReceived', signalName: 's', args: [big] })],
            },
          ],
        ],
        [
          'an activity task whose input is oversize',
          [
            { run: fresh, expectedSeq: 0, events: [startedEvent()] },
            {
              run: existing,
              expectedSeq: 1,
              events: [signalEvent(2, T0)],
              tasks: { enqueue: [{ ...taskRow(existing, 'b'), input: [big] }] },
            },
          ],
        ],
      ];
      for (const [what, commits] of refusedBatches) {
        await refusedUnchanged(
          store,
          existing,
          () => store.commit(commits),
          'payload_too_large',
          what,
        );
        await assertAbsent(store, fresh, `${what}: the new run`);
      }
      assert.equal(await store.nextTimerAt(), undefined, 'no timer was written');
      assert.deepStrictEqual(await store.listOutbox({ limit: 10 }), [], 'no outbox row');
    },
  },
  {
    name: 'bad input: timer, task and outbox rows of another namespace or run are invalid_argument and write nothing',
    tags: ['commit', 'validation', 'bad-input'],
    async run({ store }) {
      const { run } = await startRun(store);
      const elsewhere: RunKey = { ...run, namespace: 'other-ns' };
      const sibling = makeRunKey();
      const cases: [string, string, Omit<RunCommit, 'run' | 'expectedSeq' | 'events'>][] = [
        [
          'a timer row of another namespace',
          'namespace',
          { timers: { upsert: [timerRow(elsewhere, 't', T0 + 10)] } },
        ],
        [
          'a timer row of another run',
          'runId',
          { timers: { upsert: [timerRow(run, 'ok', T0), timerRow(sibling, 't', T0 + 10)] } },
        ],
        [
          'a task row of another namespace',
          'namespace',
          { tasks: { enqueue: [taskRow(elsewhere, 'a')] } },
        ],
        ['a task row of another run', 'runId', { tasks: { enqueue: [taskRow(sibling, 'a')] } }],
        [
          'an outbox row of another namespace',
          'namespace',
          { outbox: { add: [outboxRow(elsewhere, 'o')] } },
        ],
        ['an outbox row of another run', 'runId', { outbox: { add: [outboxRow(sibling, 'o')] } }],
      ];
      for (const [what, field, effects] of cases) {
        for (const events of [[], [signalEvent(2, T0)]]) {
          const label = `${what} (${events.length === 0 ? 'side effects only' : 'with an event'})`;
          const error = await refusedUnchanged(
            store,
            run,
            () => store.commit([{ run, expectedSeq: 1, events, ...effects }]),
            'invalid_argument',
            label,
          );
          assert.equal(error.details.field, field, `${label}: details.field`);
        }
      }
      assert.deepStrictEqual(
        await store.listTimers(elsewhere),
        [],
        'no timer in the other namespace',
      );
      assert.deepStrictEqual(
        await store.listTasks(elsewhere),
        [],
        'no task in the other namespace',
      );
      assert.equal(await store.nextTimerAt(), undefined, 'no timer anywhere');
      assert.deepStrictEqual(await store.listOutbox({ limit: 10 }), [], 'no outbox row anywhere');
      await assertAbsent(store, sibling, 'the other run');
    },
  },
];

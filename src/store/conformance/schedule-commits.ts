// A schedule write committed with a run's commit (a fire and the run it starts): both or neither.
import assert from 'node:assert/strict';
import type { RunCommit } from '../contract/index.js';
import { assertAlreadyStarted, assertHead, failedOutcome } from './check.js';
import { DEFAULT_NS, makeRunKey, startedEvent, startRun, T0, timerRow } from './fixtures.js';
import {
  assertSchedule,
  claimAt,
  createSchedule,
  scheduleFire,
  scheduleId,
  scheduleRecord,
  scheduleWrite,
} from './schedule-fixtures.js';
import type { StoreScenario } from './types.js';

/** A start commit of a fresh run (with a user timer of its own) carrying `schedule`. */
function startWith(schedule: RunCommit['schedule'], workflowId?: string): RunCommit {
  const run = makeRunKey(workflowId === undefined ? {} : { workflowId });
  return {
    run,
    expectedSeq: 0,
    events: [startedEvent()],
    timers: { upsert: [timerRow(run, 'run-timer', T0 + 50)] },
    ...(schedule === undefined ? {} : { schedule }),
  };
}

export const scheduleCommitScenarios: StoreScenario[] = [
  {
    name: 'schedules: a run commit with a schedule write commits both',
    tags: ['schedules', 'commit'],
    async run({ store }) {
      const id = scheduleId();
      await createSchedule(store, id, { timer: { fireAt: T0 + 10, data: 'v1' } });
      const fire = scheduleFire(id, T0 + 10);
      const v2 = scheduleRecord(id, 2, { state: { running: ['r'] } });
      const write = scheduleWrite(id, 1, {
        record: v2,
        fires: [fire],
        timer: { fireAt: T0 + 20, data: 'v2' },
      });
      const commit = startWith(write);
      assert.deepStrictEqual(await store.commit([commit]), [{ ok: true, headSeq: 1 }]);
      await assertHead(store, commit.run, 1, 'the started run');
      await assertSchedule(store, id, v2, [fire], 'the schedule');
      assert.deepStrictEqual(
        (await claimAt(store, T0 + 100)).map((t) => [t.runId, t.fireAt]).sort(),
        [
          [commit.run.runId, T0 + 50],
          [`schedule:${id}`, T0 + 20],
        ].sort(),
      );
    },
  },
  {
    name: 'schedules: a stale schedule version refuses its run commit, which writes nothing; the rest of the batch commits',
    tags: ['schedules', 'commit'],
    async run({ store }) {
      const id = scheduleId();
      await createSchedule(store, id, { timer: { fireAt: T0 + 10, data: 'v1' } });
      const v2 = scheduleRecord(id, 2);
      await store.writeSchedule(scheduleWrite(id, 1, { record: v2 }));
      const stale = startWith(
        scheduleWrite(id, 1, {
          fires: [scheduleFire(id, T0)],
          timer: { fireAt: T0 + 30, data: 'x' },
        }),
      );
      const other = startWith(undefined);
      const [refused, ok] = await store.commit([stale, other]);
      assert.equal(failedOutcome(refused, 'the stale fire').code, 'schedule_conflict');
      assert.deepStrictEqual(ok, { ok: true, headSeq: 1 }, 'another run of the batch');
      await assertHead(store, stale.run, 0, 'the refused run');
      assert.equal(await store.getRun(stale.run), undefined, 'no run row');
      assert.deepStrictEqual(await store.listTimers(stale.run), [], 'no timer of the refused run');
      await assertSchedule(store, id, v2, [], 'the schedule');
      assert.deepStrictEqual(
        (await claimAt(store, T0 + 100)).map((t) => [t.runId, t.fireAt]).sort(),
        [
          [other.run.runId, T0 + 50],
          [`schedule:${id}`, T0 + 10],
        ].sort(),
        'the schedule timer is unchanged',
      );
    },
  },
  {
    name: 'schedules: a start refused with WorkflowAlreadyStarted writes nothing of its schedule write',
    tags: ['schedules', 'commit'],
    async run({ store }) {
      const id = scheduleId();
      const v1 = await createSchedule(store, id, { timer: { fireAt: T0 + 10, data: 'v1' } });
      const { run: open } = await startRun(store);
      const write = scheduleWrite(id, 1, {
        fires: [scheduleFire(id, T0 + 10)],
        timer: { fireAt: T0 + 30, data: 'v2' },
        keepFires: 0,
      });
      const commit = startWith(write, open.workflowId);
      const [outcome] = await store.commit([commit]);
      assertAlreadyStarted(
        failedOutcome(outcome, 'the duplicate start'),
        open.workflowId,
        open.runId,
      );
      await assertSchedule(store, id, v1, [], 'the schedule');
      assert.deepStrictEqual(
        (await claimAt(store, T0 + 100)).map((t) => [t.runId, t.fireAt, t.data]),
        [[`schedule:${id}`, T0 + 10, 'v1']],
      );
      // The same write then commits with a start that can go ahead.
      assert.deepStrictEqual(await store.commit([startWith(write)]), [{ ok: true, headSeq: 1 }]);
      assert.equal((await store.getSchedule(DEFAULT_NS, id))?.version, 2);
    },
  },
  {
    name: 'schedules: writes to one schedule in one batch chain in order like commits do',
    tags: ['schedules', 'commit'],
    async run({ store }) {
      const id = scheduleId();
      await createSchedule(store, id);
      const first = startWith(scheduleWrite(id, 1, { fires: [scheduleFire(id, T0 + 1)] }));
      const second = startWith(scheduleWrite(id, 2, { fires: [scheduleFire(id, T0 + 2)] }));
      const replay = startWith(scheduleWrite(id, 2, { fires: [scheduleFire(id, T0 + 3)] }));
      const outcomes = await store.commit([first, second, replay]);
      assert.deepStrictEqual(outcomes.slice(0, 2), [
        { ok: true, headSeq: 1 },
        { ok: true, headSeq: 1 },
      ]);
      assert.equal(failedOutcome(outcomes[2], 'the third').code, 'schedule_conflict');
      await assertHead(store, replay.run, 0, 'the refused run');
      await assertSchedule(
        store,
        id,
        scheduleRecord(id, 3),
        [scheduleFire(id, T0 + 2), scheduleFire(id, T0 + 1)],
        'after the batch',
      );
    },
  },
];

import assert from 'node:assert/strict';
import { SCHEDULE_TIMER_ID, SCHEDULE_TIMER_KIND, scheduleTimerRunId } from '../contract/index.js';
import { isAionError, type ErrorCode } from '../../core/index.js';
import type { ScheduleRecord } from '../contract/index.js';
import { rejectsWithCode } from './check.js';
import { DEFAULT_NS, jsonPayload, T0 } from './fixtures.js';
import {
  assertSchedule,
  claimAt,
  createSchedule,
  scheduleFire,
  scheduleId,
  scheduleRecord,
  scheduleWrite,
} from './schedule-fixtures.js';
import { scheduleCommitScenarios } from './schedule-commits.js';
import type { StoreScenario } from './types.js';

/** Asserts every rejected result is an Aion error of `code`. */
function assertRefusals(results: readonly PromiseSettledResult<unknown>[], code: ErrorCode): void {
  for (const r of results) {
    if (r.status === 'fulfilled') continue;
    const reason: unknown = r.reason;
    assert.ok(
      isAionError(reason),
      `a refused writer must fail with an AionError, got ${String(reason)}`,
    );
    assert.equal(reason.code, code, reason.message);
  }
}

const FAR = T0 + 10 * 365 * 86_400_000;

const rowScenarios: StoreScenario[] = [
  {
    name: 'schedules: a created schedule reads back exactly; an unknown id reads as undefined',
    tags: ['schedules'],
    async run({ store }) {
      const id = scheduleId();
      const record = await createSchedule(store, id);
      await assertSchedule(store, id, record, [], 'after create');
      const idle = await createSchedule(store, scheduleId(), {});
      const paused = { ...scheduleRecord(idle.scheduleId, 2), nextFireAt: null };
      await store.writeSchedule({ ...scheduleWrite(idle.scheduleId, 1), record: paused });
      assert.deepStrictEqual(await store.getSchedule(DEFAULT_NS, idle.scheduleId), paused);
      assert.equal(await store.getSchedule(DEFAULT_NS, scheduleId()), undefined);
      assert.equal(await store.getSchedule('other', id), undefined, 'namespaces are apart');
    },
  },
  {
    name: 'schedules: creating an existing id is refused with already_exists and writes nothing',
    tags: ['schedules'],
    async run({ store }) {
      const id = scheduleId();
      const record = await createSchedule(store, id);
      const again = scheduleWrite(id, 0, {
        record: scheduleRecord(id, 1, { state: { other: true } }),
        fires: [scheduleFire(id, T0)],
        timer: { fireAt: T0, data: 'x' },
      });
      await rejectsWithCode(store.writeSchedule(again), 'already_exists', 'a second create');
      await assertSchedule(store, id, record, [], 'after the refused create');
      assert.deepStrictEqual(await claimAt(store, FAR), [], 'no timer was set');
    },
  },
  {
    name: 'schedules: an update needs the version it read; a stale version is refused with schedule_conflict',
    tags: ['schedules'],
    async run({ store }) {
      const id = scheduleId();
      await createSchedule(store, id);
      const v2 = scheduleRecord(id, 2, { state: { paused: true } });
      await store.writeSchedule(scheduleWrite(id, 1, { record: v2 }));
      const stale = scheduleWrite(id, 1, { fires: [scheduleFire(id, T0)] });
      await rejectsWithCode(store.writeSchedule(stale), 'schedule_conflict', 'a stale update');
      await assertSchedule(store, id, v2, [], 'after the stale update');
      const skipped = scheduleWrite(id, 2, { record: scheduleRecord(id, 4) });
      await rejectsWithCode(store.writeSchedule(skipped), 'invalid_argument', 'a version jump');
      const trim = scheduleWrite(id, 2, { keepFires: -1 });
      await rejectsWithCode(store.writeSchedule(trim), 'invalid_argument', 'keepFires -1');
      const v3 = scheduleRecord(id, 3);
      await store.writeSchedule(scheduleWrite(id, 2, { record: v3 }));
      assert.deepStrictEqual(await store.getSchedule(DEFAULT_NS, id), v3);
    },
  },
  {
    name: 'schedules: a delete removes the row, its fire records and its timer; a write to it then conflicts',
    tags: ['schedules'],
    async run({ store }) {
      const id = scheduleId();
      const keep = scheduleId();
      await createSchedule(store, id, {
        fires: [scheduleFire(id, T0)],
        timer: { fireAt: T0 + 5, data: 'd' },
      });
      const kept = await createSchedule(store, keep, {
        fires: [scheduleFire(keep, T0)],
        timer: { fireAt: T0 + 6, data: 'k' },
      });
      const stale = { ...scheduleWrite(id, 2), record: null };
      await rejectsWithCode(store.writeSchedule(stale), 'schedule_conflict', 'a stale delete');
      await store.writeSchedule({ ...scheduleWrite(id, 1), record: null });
      await assertSchedule(store, id, undefined, [], 'after delete');
      const due = await claimAt(store, FAR);
      assert.deepStrictEqual(
        due.map((t) => t.runId),
        [scheduleTimerRunId(keep)],
        'only the other schedule keeps its timer',
      );
      await assertSchedule(store, keep, kept, [scheduleFire(keep, T0)], 'the other schedule');
      for (const v of [1, 2]) {
        const late = scheduleWrite(id, v);
        await rejectsWithCode(
          store.writeSchedule(late),
          'schedule_conflict',
          `write v${v} after delete`,
        );
      }
      const again = await createSchedule(store, id);
      await assertSchedule(store, id, again, [], 'created again: no old fire records');
    },
  },
];

const fireScenarios: StoreScenario[] = [
  {
    name: 'schedules: fire records upsert by (nominal time, kind), list newest first, and keepFires trims the oldest',
    tags: ['schedules'],
    async run({ store }) {
      const id = scheduleId();
      const a = scheduleFire(id, T0 + 1000);
      const b = scheduleFire(id, T0 + 1000, 'trigger');
      const c = scheduleFire(id, T0 + 2000);
      const d = scheduleFire(id, T0 + 500, 'backfill', { outcome: 'missed', reason: 'late' });
      const bare = { ...scheduleFire(id, T0 + 100, 'scheduled', { outcome: 'skipped' }) };
      delete (bare as { workflowId?: string }).workflowId;
      delete (bare as { runId?: string }).runId;
      const v1 = await createSchedule(store, id, { fires: [a, b, c, d, bare] });
      await assertSchedule(store, id, v1, [c, b, a, d, bare], 'newest first, kind breaks ties');
      const page = await store.listScheduleFires({
        namespace: DEFAULT_NS,
        scheduleId: id,
        limit: 2,
      });
      assert.deepStrictEqual(page, [c, b], 'limit');
      const replaced = scheduleFire(id, T0 + 1000, 'scheduled', {
        outcome: 'skipped',
        reason: 'overlap',
        actualAt: T0 + 1500,
      });
      delete (replaced as { runId?: string }).runId;
      const v2 = scheduleRecord(id, 2);
      await store.writeSchedule(scheduleWrite(id, 1, { record: v2, fires: [replaced] }));
      await assertSchedule(store, id, v2, [c, b, replaced, d, bare], 'the same key replaces');
      const e = scheduleFire(id, T0 + 3000);
      const v3 = scheduleRecord(id, 3);
      await store.writeSchedule(scheduleWrite(id, 2, { record: v3, fires: [e], keepFires: 3 }));
      await assertSchedule(store, id, v3, [e, c, b], 'keepFires keeps the newest');
      const v4 = scheduleRecord(id, 4);
      await store.writeSchedule(scheduleWrite(id, 3, { record: v4, keepFires: 0 }));
      await assertSchedule(store, id, v4, [], 'keepFires 0 keeps none');
    },
  },
  {
    name: 'schedules: a list pages by id in code-point order, one namespace at a time',
    tags: ['schedules'],
    async run({ store }) {
      const ids = ['b', 'a', 'B', 'a-1', '\u00e9', 'Z', 'a\u{1F600}', 'a\uFF21'];
      for (const id of ids) await createSchedule(store, id);
      const other = scheduleRecord('a', 1, { namespace: 'other' });
      await store.writeSchedule({ ...scheduleWrite('a', 0), namespace: 'other', record: other });
      // Code-point order: U+FF21 sorts before U+1F600 (UTF-16 code units would say otherwise).
      const expected = ['B', 'Z', 'a', 'a-1', 'a\uFF21', 'a\u{1F600}', 'b', '\u00e9'];
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.listSchedules({
          namespace: DEFAULT_NS,
          limit: 3,
          ...(after === undefined ? {} : { after }),
        });
        seen.push(...page.map((r) => r.scheduleId));
        if (page.length < 3) break;
        after = page[page.length - 1]!.scheduleId;
      }
      assert.deepStrictEqual(seen, expected);
      assert.deepStrictEqual(await store.listSchedules({ namespace: 'other', limit: 10 }), [other]);
      assert.deepStrictEqual(await store.listSchedules({ namespace: 'none', limit: 10 }), []);
      const full = await store.listSchedules({ namespace: DEFAULT_NS, after: 'a', limit: 1 });
      assert.deepStrictEqual(full, [scheduleRecord('a-1', 1)], 'a full row');
    },
  },
];

const timerScenarios: StoreScenario[] = [
  {
    name: 'schedules: the timer is set, moved (its claim reset), kept, cleared, and claimed as schedule.fire',
    tags: ['schedules', 'timers'],
    async run({ store }) {
      const id = scheduleId();
      await createSchedule(store, id, { timer: { fireAt: T0 + 1000, data: '{"v":1}' } });
      assert.deepStrictEqual(await claimAt(store, T0 + 999), [], 'not due yet');
      const timer = {
        namespace: DEFAULT_NS,
        workflowId: id,
        runId: scheduleTimerRunId(id),
        timerId: SCHEDULE_TIMER_ID,
        kind: SCHEDULE_TIMER_KIND,
      };
      assert.deepStrictEqual(await claimAt(store, T0 + 1000), [
        { ...timer, fireAt: T0 + 1000, data: '{"v":1}', claimUntil: T0 + 601_000 },
      ]);
      await store.writeSchedule(
        scheduleWrite(id, 1, { timer: { fireAt: T0 + 2000, data: '{"v":2}' } }),
      );
      assert.deepStrictEqual(
        await claimAt(store, T0 + 2000, 'owner-2'),
        [{ ...timer, fireAt: T0 + 2000, data: '{"v":2}', claimUntil: T0 + 602_000 }],
        'an upsert clears the earlier claim',
      );
      await store.writeSchedule(scheduleWrite(id, 2, { timer: { fireAt: T0 + 3000, data: '3' } }));
      await store.writeSchedule(scheduleWrite(id, 3));
      assert.deepStrictEqual(
        (await claimAt(store, T0 + 3000)).map((t) => [t.fireAt, t.data]),
        [[T0 + 3000, '3']],
        'a write without a timer leaves it',
      );
      await store.writeSchedule(scheduleWrite(id, 4, { timer: { fireAt: T0 + 4000, data: '4' } }));
      await store.writeSchedule(scheduleWrite(id, 5, { timer: null }));
      assert.deepStrictEqual(await claimAt(store, FAR), [], 'cleared');
      assert.equal(await store.nextTimerAt(), undefined, 'no timer row is left');
    },
  },
  {
    name: 'schedules: a definition carrying payloads reads back exactly, key order included',
    tags: ['schedules', 'payloads'],
    async run({ store }) {
      const id = scheduleId();
      const definition = {
        zeta: 1,
        alpha: [jsonPayload({ text: 'snow \u2603 \u{1F600} "quoted" \\ \u2028 end', n: -0.5 })],
        action: {
          args: [{ encoding: 'binary/encrypted', data: 'AAEC/w==', metadata: { key: 'k1' } }],
          memo: { empty: '', nested: [[], {}, null, true, 9007199254740991] },
        },
      };
      const record: ScheduleRecord = {
        ...scheduleRecord(id, 1),
        definition,
        state: { buffer: [definition.alpha] },
      };
      await store.writeSchedule({ ...scheduleWrite(id, 0), record });
      const read = await store.getSchedule(DEFAULT_NS, id);
      assert.deepStrictEqual(read, record);
      assert.equal(JSON.stringify(read?.definition), JSON.stringify(definition), 'key order kept');
      const [listed] = await store.listSchedules({ namespace: DEFAULT_NS, limit: 1 });
      assert.equal(JSON.stringify(listed?.state), JSON.stringify(record.state));
    },
  },
  {
    name: 'schedules: concurrent writers of one version or one new id: exactly one wins',
    tags: ['schedules', 'concurrency'],
    async run({ store }) {
      const id = scheduleId();
      const creates = await Promise.allSettled(
        Array.from({ length: 4 }, (_, i) =>
          store.writeSchedule(
            scheduleWrite(id, 0, { record: scheduleRecord(id, 1, { state: { i } }) }),
          ),
        ),
      );
      assert.equal(creates.filter((r) => r.status === 'fulfilled').length, 1, 'one create wins');
      assertRefusals(creates, 'already_exists');
      const updates = await Promise.allSettled(
        Array.from({ length: 4 }, (_, i) =>
          store.writeSchedule(scheduleWrite(id, 1, { fires: [scheduleFire(id, T0 + i)] })),
        ),
      );
      assert.equal(updates.filter((r) => r.status === 'fulfilled').length, 1, 'one update wins');
      assertRefusals(updates, 'schedule_conflict');
      const fires = await store.listScheduleFires({
        namespace: DEFAULT_NS,
        scheduleId: id,
        limit: 10,
      });
      assert.equal(fires.length, 1, 'only the winner wrote its fire');
      assert.equal((await store.getSchedule(DEFAULT_NS, id))?.version, 2);
    },
  },
];

export const scheduleScenarios: StoreScenario[] = [
  ...rowScenarios,
  ...fireScenarios,
  ...timerScenarios,
  ...scheduleCommitScenarios,
];

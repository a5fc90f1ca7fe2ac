// Fixtures of the schedule scenarios: records, fires and writes with readable defaults.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type {
  ClaimedTimer,
  ScheduleFire,
  ScheduleRecord,
  ScheduleWrite,
  Store,
} from '../contract/index.js';
import { DEFAULT_NS, jsonPayload, T0 } from './fixtures.js';

/** A fresh schedule id. */
export function scheduleId(prefix = 'sched'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A schedule row at `version`; its definition carries an encoded payload like a real action. */
export function scheduleRecord(
  id: string,
  version: number,
  overrides: Partial<ScheduleRecord> = {},
): ScheduleRecord {
  return {
    namespace: DEFAULT_NS,
    scheduleId: id,
    definition: {
      spec: { cron: ['0 * * * *'] },
      action: { workflowType: 'Report', args: [jsonPayload({ version })] },
    },
    state: { paused: false, actions: version - 1 },
    searchAttributes: { Team: { type: 'Keyword', value: 'ops' } },
    nextFireAt: T0 + 60_000,
    createdAt: T0,
    updatedAt: T0 + version,
    version,
    ...overrides,
  };
}

export function scheduleFire(
  id: string,
  nominalAt: number,
  kind: ScheduleFire['kind'] = 'scheduled',
  overrides: Partial<ScheduleFire> = {},
): ScheduleFire {
  return {
    namespace: DEFAULT_NS,
    scheduleId: id,
    nominalAt,
    kind,
    actualAt: nominalAt + 7,
    outcome: 'started',
    workflowId: `${id}-${nominalAt}`,
    runId: `run-${id}-${nominalAt}`,
    recordedAt: nominalAt + 9,
    ...overrides,
  };
}

/** The write that moves `id` from `expectedVersion` to the next version (or deletes it). */
export function scheduleWrite(
  id: string,
  expectedVersion: number,
  extra: Partial<ScheduleWrite> = {},
): ScheduleWrite {
  return {
    namespace: DEFAULT_NS,
    scheduleId: id,
    expectedVersion,
    record: scheduleRecord(id, expectedVersion + 1),
    ...extra,
  };
}

/** Creates `id` at version 1; returns its record. */
export async function createSchedule(
  store: Store,
  id: string,
  extra: Partial<ScheduleWrite> = {},
): Promise<ScheduleRecord> {
  const write = scheduleWrite(id, 0, extra);
  await store.writeSchedule(write);
  return write.record!;
}

/** Claims every timer due at `now` (a long lease). */
export function claimAt(store: Store, now: number, owner = 'owner-1'): Promise<ClaimedTimer[]> {
  return store.claimDueTimers({ owner, now, leaseMs: 600_000, limit: 100 });
}

/** Asserts the schedule's stored row and fire records. */
export async function assertSchedule(
  store: Store,
  id: string,
  record: ScheduleRecord | undefined,
  fires: readonly ScheduleFire[],
  what: string,
): Promise<void> {
  assert.deepStrictEqual(await store.getSchedule(DEFAULT_NS, id), record, `${what}: the row`);
  assert.deepStrictEqual(
    await store.listScheduleFires({ namespace: DEFAULT_NS, scheduleId: id, limit: 100 }),
    fires,
    `${what}: the fire records`,
  );
}

// The remote SDK's schedule client (`client.schedule`): create, handles (describe, update,
// pause, unpause, trigger, backfill, delete) and the paged list, over the schedule routes,
// with the dates of descriptions revived from their ISO strings.
import {
  isAionError,
  workflowTypeName,
  type ScheduleActionResult,
  type ScheduleBackfill,
  type ScheduleClient,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleListOptions,
  type ScheduleOptions,
  type ScheduleSpec,
  type ScheduleSummary,
  type ScheduleUpdateOptions,
} from '../core/index.js';
import type { Connection } from './connection.js';
import { namespacePath } from './wire.js';

/** How often `update` re-reads and re-applies its function after a concurrent change. */
const UPDATE_ATTEMPTS = 10;

type Json = Record<string, unknown>;

const toDate = (v: unknown): Date => new Date(v as string);

function specFromJson(raw: Json): ScheduleSpec {
  return {
    ...(raw as ScheduleSpec),
    ...(raw.startAt != null ? { startAt: toDate(raw.startAt) } : {}),
    ...(raw.endAt != null ? { endAt: toDate(raw.endAt) } : {}),
  };
}

function actionFromJson(raw: Json): ScheduleActionResult {
  return {
    ...(raw as unknown as ScheduleActionResult),
    scheduledAt: toDate(raw.scheduledAt),
    takenAt: toDate(raw.takenAt),
  };
}

/** A description as the server sends it, with its dates revived. */
export function describeScheduleFromJson(raw: Json): ScheduleDescription {
  const info = raw.info as Json;
  return {
    ...(raw as unknown as ScheduleDescription),
    spec: specFromJson(raw.spec as Json),
    info: {
      ...(info as unknown as ScheduleDescription['info']),
      nextActionTimes: (info.nextActionTimes as string[]).map(toDate),
      recentActions: (info.recentActions as Json[]).map(actionFromJson),
      createdAt: toDate(info.createdAt),
      ...(info.lastUpdatedAt != null ? { lastUpdatedAt: toDate(info.lastUpdatedAt) } : {}),
    },
  };
}

export function summaryFromJson(raw: Json): ScheduleSummary {
  const info = raw.info as Json;
  return {
    ...(raw as unknown as ScheduleSummary),
    spec: specFromJson(raw.spec as Json),
    info: {
      nextActionTimes: (info.nextActionTimes as string[]).map(toDate),
      recentActions: (info.recentActions as Json[]).map(actionFromJson),
    },
  };
}

/** The body fields of a definition: a description spread into the result is trimmed to them. */
function definitionBody(o: ScheduleUpdateOptions): Json {
  const state = o.state
    ? {
        ...(o.state.paused !== undefined ? { paused: o.state.paused } : {}),
        ...(o.state.note !== undefined ? { note: o.state.note } : {}),
        ...(o.state.remainingActions !== undefined
          ? { remainingActions: o.state.remainingActions }
          : {}),
      }
    : undefined;
  return {
    spec: o.spec,
    action: { ...o.action, workflowType: workflowTypeName(o.action.workflowType) },
    ...(o.policies !== undefined ? { policies: o.policies } : {}),
    ...(state !== undefined ? { state } : {}),
    ...(o.memo !== undefined ? { memo: o.memo } : {}),
    ...(o.searchAttributes !== undefined ? { searchAttributes: o.searchAttributes } : {}),
  };
}

function createBody(o: ScheduleOptions): Json {
  const { scheduleId, state, ...definition } = o;
  return { ...definitionBody(definition), scheduleId, ...(state !== undefined ? { state } : {}) };
}

export function createScheduleClient(c: Connection, namespace: () => string): ScheduleClient {
  const base = (): string => `${namespacePath(namespace())}/schedules`;
  const handle = (scheduleId: string): ScheduleHandle => {
    const path = (suffix = ''): string => `${base()}/${encodeURIComponent(scheduleId)}${suffix}`;
    const post = async (action: string, body: Json): Promise<void> => {
      await c.request('POST', path(`/${action}`), { body });
    };
    const describe = async (): Promise<ScheduleDescription> =>
      describeScheduleFromJson(await c.request<Json>('GET', path()));
    return {
      scheduleId,
      describe,
      async update(fn) {
        for (let attempt = 1; ; attempt++) {
          const previous = await describe();
          const body = { ...definitionBody(fn(previous)), conflictToken: previous.conflictToken };
          try {
            await c.request('PUT', path(), { body });
            return;
          } catch (err) {
            if (
              !(isAionError(err) && err.code === 'schedule_conflict') ||
              attempt >= UPDATE_ATTEMPTS
            )
              throw err;
          }
        }
      },
      pause: (note) => post('pause', note !== undefined ? { note } : {}),
      unpause: (note) => post('unpause', note !== undefined ? { note } : {}),
      trigger: (overlap) => post('trigger', overlap !== undefined ? { overlap } : {}),
      backfill: (backfill: ScheduleBackfill | readonly ScheduleBackfill[]) =>
        post('backfill', { backfills: Array.isArray(backfill) ? backfill : [backfill] }),
      async delete() {
        await c.request('DELETE', path());
      },
    };
  };
  return {
    async create(options) {
      await c.request('POST', base(), { body: createBody(options) });
      return handle(options.scheduleId);
    },
    getHandle: handle,
    list: (options?: ScheduleListOptions) => listAll(c, base, options ?? {}),
  };
}

async function* listAll(
  c: Connection,
  base: () => string,
  options: ScheduleListOptions,
): AsyncIterable<ScheduleSummary> {
  let cursor: string | undefined;
  do {
    const page = await c.request<{ items: Json[]; nextCursor: string | null }>('GET', base(), {
      query: { query: options.query, pageSize: options.pageSize, cursor },
    });
    for (const item of page.items) yield summaryFromJson(item);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

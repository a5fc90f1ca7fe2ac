// The schedule routes over a real server on loopback: create, list (paged), describe, update
// with a conflict token, pause, unpause, trigger, backfill and delete; roles, audit entries,
// and the errors of bad bodies, missing schedules and stale tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
const base = '/api/v1/namespaces/default/schedules';

const hourly = (scheduleId: string, extra: Record<string, unknown> = {}) => ({
  scheduleId,
  spec: { intervals: [{ every: '1h' }] },
  action: { workflowType: 'greet', args: ['Ada'] },
  ...extra,
});

function op(method: string, pathname: string, body?: unknown) {
  return call(t.url, method, pathname, {
    token: t.tokens.operator!,
    ...(body !== undefined ? { body } : {}),
  });
}

function reader(method: string, pathname: string, body?: unknown) {
  return call(t.url, method, pathname, {
    token: t.tokens.reader!,
    ...(body !== undefined ? { body } : {}),
  });
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  t = await startTestServer({
    auth: true,
    roles: ['reader', 'operator'],
  });
});

afterAll(async () => {
  await t.stop();
});

describe('schedule routes', () => {
  it('creates, describes and lists schedules, with dates as ISO strings', async () => {
    const created = await op('POST', base, {
      ...hourly('hourly-a', { searchAttributes: {}, memo: { team: 'billing' } }),
      spec: { intervals: [{ every: '1h' }], startAt: '2020-01-01T00:00:00Z' },
      policies: { overlap: 'BUFFER_ONE', catchupWindow: '5m' },
    });
    expect(created).toEqual({ status: 201, body: { scheduleId: 'hourly-a' } });

    const d = await reader('GET', `${base}/hourly-a`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({
      scheduleId: 'hourly-a',
      action: { type: 'startWorkflow', workflowType: 'greet', args: ['Ada'] },
      policies: { overlap: 'BUFFER_ONE', catchupWindow: 300_000, pauseOnFailure: false },
      state: { paused: false },
      memo: { team: 'billing' },
      spec: { startAt: '2020-01-01T00:00:00.000Z' },
    });
    const info = d.body.info as { nextActionTimes: string[]; createdAt: string };
    expect(info.nextActionTimes.length).toBeGreaterThan(0);
    for (const at of info.nextActionTimes) expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    expect(typeof d.body.conflictToken).toBe('number');

    await op('POST', base, hourly('hourly-b'));
    await op('POST', base, hourly('hourly-c'));
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `?pageSize=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await reader('GET', `${base}${q}`);
      expect(page.status).toBe(200);
      const body = page.body as { items: { scheduleId: string }[]; nextCursor: string | null };
      ids.push(...body.items.map((i) => i.scheduleId));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(ids.filter((id) => id.startsWith('hourly-'))).toEqual([
      'hourly-a',
      'hourly-b',
      'hourly-c',
    ]);
    expect(pages).toBe(2);

    const filtered = await reader(
      'GET',
      `${base}?query=${encodeURIComponent("WorkflowId = 'hourly-b'")}`,
    );
    expect((filtered.body.items as { scheduleId: string }[]).map((i) => i.scheduleId)).toEqual([
      'hourly-b',
    ]);
  });

  it('refuses a second create of an id with 409 already_exists', async () => {
    await op('POST', base, hourly('dup'));
    const again = await op('POST', base, hourly('dup'));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_exists');
  });

  it('refuses bad bodies with 400 invalid_argument naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ scheduleId: 'x', action: { workflowType: 'greet' } }, 'body'],
      [hourly('x', { policies: { overlap: 'SOMETIMES' } }), 'body/policies/overlap'],
      [hourly('x', { spec: { startAt: 'not a date' } }), 'body/spec/startAt'],
      [hourly('x', { bogus: 1 }), 'body/bogus'],
      [hourly('x', { state: { remainingActions: -1 } }), 'body/state/remainingActions'],
    ];
    for (const [body, field] of cases) {
      const res = await op('POST', base, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('invalid_argument');
      expect(String((res.body.details as { field?: string }).field)).toContain(field);
    }
    const cron = await op('POST', base, hourly('x', { spec: { cronExpressions: ['61 * * * *'] } }));
    expect(cron.status).toBe(400);
    expect(cron.body.code).toBe('invalid_argument');
    expect(JSON.stringify(cron.body)).toMatch(/cron/i);

    await op('POST', base, hourly('for-backfill'));
    const backfill = await op('POST', `${base}/for-backfill/backfill`, {
      backfills: [{ start: 'yesterday', end: '2026-01-01T00:00:00Z' }],
    });
    expect(backfill.status).toBe(400);
    expect((backfill.body.details as { field: string }).field).toBe('body/backfills/0/start');
    const trigger = await op('POST', `${base}/for-backfill/trigger`, { overlap: 'NEVER' });
    expect(trigger.status).toBe(400);
    expect((trigger.body.details as { field: string }).field).toContain('overlap');
  });

  it('answers 404 not_found for a schedule that does not exist', async () => {
    expect((await reader('GET', `${base}/nope`)).status).toBe(404);
    for (const action of ['pause', 'unpause', 'trigger']) {
      const res = await op('POST', `${base}/nope/${action}`, {});
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    expect((await op('DELETE', `${base}/nope`)).status).toBe(404);
    const update = await op('PUT', `${base}/nope`, {
      spec: { intervals: [{ every: '1h' }] },
      action: { workflowType: 'greet' },
    });
    expect(update.status).toBe(404);
  });

  it('updates with the conflict token and refuses a stale one with 409 schedule_conflict', async () => {
    await op('POST', base, hourly('upd'));
    const before = (await reader('GET', `${base}/upd`)).body as { conflictToken: number };
    const next = {
      spec: { cronExpressions: ['0 9 * * *'], timezone: 'Europe/Paris' },
      action: { workflowType: 'greet', args: ['Bo'] },
      conflictToken: before.conflictToken,
    };
    expect(await op('PUT', `${base}/upd`, next)).toEqual({ status: 200, body: {} });
    const after = (await reader('GET', `${base}/upd`)).body;
    expect(after).toMatchObject({
      spec: { cronExpressions: ['0 9 * * *'], timezone: 'Europe/Paris' },
      action: { args: ['Bo'] },
    });
    expect(after.conflictToken).not.toBe(before.conflictToken);

    const stale = await op('PUT', `${base}/upd`, next);
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('schedule_conflict');
    // Without a token the update applies to whatever is current.
    const { conflictToken: _t, ...blind } = next;
    expect((await op('PUT', `${base}/upd`, blind)).status).toBe(200);
  });

  it('pauses, unpauses, triggers, backfills and deletes', async () => {
    await op('POST', base, hourly('acts', { policies: { overlap: 'ALLOW_ALL' } }));
    expect(await op('POST', `${base}/acts/pause`, { note: 'maintenance' })).toEqual({
      status: 200,
      body: {},
    });
    expect((await reader('GET', `${base}/acts`)).body.state).toEqual({
      paused: true,
      note: 'maintenance',
    });
    expect((await op('POST', `${base}/acts/unpause`, {})).status).toBe(200);
    expect((await reader('GET', `${base}/acts`)).body.state).toMatchObject({ paused: false });

    expect((await op('POST', `${base}/acts/trigger`, { overlap: 'ALLOW_ALL' })).status).toBe(200);
    const started = await waitFor(
      async () =>
        (await reader('GET', `${base}/acts`)).body.info as {
          recentActions: {
            outcome: string;
            kind: string;
            action?: { workflow: { workflowId: string } };
          }[];
        },
      (i) => i.recentActions.some((a) => a.kind === 'trigger' && a.outcome === 'started'),
    );
    const fire = started.recentActions.find((a) => a.kind === 'trigger')!;
    expect(fire.action?.workflow.workflowId).toMatch(/^acts-/);

    const backfill = await op('POST', `${base}/acts/backfill`, {
      backfills: [
        { start: '2026-01-01T00:00:00Z', end: '2026-01-01T02:00:00Z', overlap: 'ALLOW_ALL' },
      ],
    });
    expect(backfill.status).toBe(200);
    const filled = await waitFor(
      async () =>
        (await reader('GET', `${base}/acts`)).body.info as { recentActions: { kind: string }[] },
      (i) => i.recentActions.filter((a) => a.kind === 'backfill').length === 3,
    );
    expect(filled.recentActions.filter((a) => a.kind === 'backfill')).toHaveLength(3);

    expect(await op('DELETE', `${base}/acts`)).toEqual({ status: 200, body: {} });
    expect((await reader('GET', `${base}/acts`)).status).toBe(404);
  });

  it('lets a reader read but not change schedules, and audits every mutation', async () => {
    await op('POST', base, hourly('roles'));
    const refused = await reader('POST', base, hourly('by-reader'));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('permission_denied');
    for (const action of ['pause', 'trigger']) {
      expect((await reader('POST', `${base}/roles/${action}`, {})).status).toBe(403);
    }
    expect((await reader('DELETE', `${base}/roles`)).status).toBe(403);
    expect((await reader('GET', `${base}/roles`)).status).toBe(200);

    await op('POST', `${base}/roles/pause`, {});
    await op('POST', `${base}/nope/pause`, {});
    const audit = await t.engine.store.readAudit({ limit: 1000 });
    const entry = (action: string, target: string, outcome = 'ok'): unknown =>
      expect.objectContaining({ action, namespace: 'default', target, outcome }) as unknown;
    expect(audit).toContainEqual(entry('schedule.create', 'roles'));
    expect(audit).toContainEqual(entry('schedule.pause', 'roles'));
    expect(audit).toContainEqual(entry('schedule.update', 'upd'));
    expect(audit).toContainEqual(entry('schedule.trigger', 'acts'));
    expect(audit).toContainEqual(entry('schedule.backfill', 'acts'));
    expect(audit).toContainEqual(entry('schedule.delete', 'acts'));
    expect(audit).toContainEqual(entry('schedule.unpause', 'acts'));
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'schedule.pause',
        target: 'nope',
        outcome: 'error',
        code: 'not_found',
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'schedule.update',
        target: 'upd',
        outcome: 'error',
        code: 'schedule_conflict',
      }),
    );
    expect(
      audit.some((a) => a.action === 'schedule.describe' || a.action === 'schedule.list'),
    ).toBe(false);
  });

  it('previews the next fire times of an unsaved spec, for readers too, refusing bad specs', async () => {
    const preview = '/api/v1/namespaces/default/schedule-preview';
    const after = '2026-03-28T12:00:00Z';
    const berlin = await reader('POST', preview, {
      spec: { cronExpressions: ['30 2 * * *'], timezone: 'Europe/Berlin' },
      after,
      count: 3,
    });
    expect(berlin.status).toBe(200);
    // 02:30 does not exist in Berlin on 29 March 2026: it fires at 03:00 (CEST) that night.
    expect(berlin.body).toEqual({
      nextActionTimes: [
        '2026-03-29T01:00:00.000Z',
        '2026-03-30T00:30:00.000Z',
        '2026-03-31T00:30:00.000Z',
      ],
    });
    const ended = await reader('POST', preview, {
      spec: { intervals: [{ every: '1h' }], endAt: '2026-03-28T14:00:00Z' },
      after,
    });
    expect(ended.body).toEqual({
      nextActionTimes: ['2026-03-28T13:00:00.000Z', '2026-03-28T14:00:00.000Z'],
    });
    const fivesByDefault = await reader('POST', preview, {
      spec: { cronExpressions: ['@hourly'] },
    });
    expect((fivesByDefault.body.nextActionTimes as string[]).length).toBe(5);

    const bad = await reader('POST', preview, { spec: { cronExpressions: ['61 * * * *'] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_argument' });
    expect(bad.body.message).toMatch(/spec\.cronExpressions\[0\].*61/);
    const zone = await reader('POST', preview, { spec: { timezone: 'Mars/Base' } });
    expect(zone.body.message).toMatch(/unknown IANA time zone "Mars\/Base"/);
    const tooMany = await reader('POST', preview, { spec: {}, count: 1000 });
    expect(tooMany.status).toBe(400);
  });
});

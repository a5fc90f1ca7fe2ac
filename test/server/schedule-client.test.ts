// The remote SDK's `client.schedule` against a real server: the same calls as the in-process
// client, dates revived from the JSON answers, `update` as a read–modify–write, typed errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AionError, Client, Connection, type ScheduleSummary } from '../../src/client/index.js';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let client: Client;

beforeAll(async () => {
  t = await startTestServer({ auth: true, roles: ['operator'] });
  const connection = await Connection.connect({ address: t.url, apiKey: t.tokens.operator! });
  client = new Client({ connection });
});

afterAll(async () => {
  await t.stop();
});

async function errorOf(p: Promise<unknown>): Promise<AionError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AionError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('remote client.schedule', () => {
  it('creates and describes a schedule with dates as Date objects', async () => {
    const startAt = new Date('2021-06-01T00:00:00Z');
    const handle = await client.schedule.create({
      scheduleId: 'daily',
      spec: { cronExpressions: ['0 9 * * *'], timezone: 'America/New_York', startAt },
      action: { type: 'startWorkflow', workflowType: 'greet', args: ['Ada'] },
      state: { note: 'created by test' },
    });
    expect(handle.scheduleId).toBe('daily');
    const d = await handle.describe();
    expect(d.spec.startAt).toEqual(startAt);
    expect(d.info.createdAt).toBeInstanceOf(Date);
    expect(d.info.nextActionTimes.length).toBeGreaterThan(0);
    for (const at of d.info.nextActionTimes) {
      expect(at).toBeInstanceOf(Date);
      // 09:00 in New York is 13:00 or 14:00 UTC.
      expect([13, 14]).toContain(at.getUTCHours());
    }
    expect(d.state).toEqual({ paused: false, note: 'created by test' });
  });

  it('updates by read–modify–write, a description spread into the result included', async () => {
    const handle = client.schedule.getHandle('daily');
    await handle.update((prev) => ({
      ...prev,
      spec: { ...prev.spec, cronExpressions: ['30 7 * * 1-5'] },
      policies: { ...prev.policies, overlap: 'BUFFER_ALL' },
    }));
    const d = await handle.describe();
    expect(d.spec.cronExpressions).toEqual(['30 7 * * 1-5']);
    expect(d.policies.overlap).toBe('BUFFER_ALL');
    expect(d.action.args).toEqual(['Ada']);
  });

  it('pauses, unpauses, triggers and lists', async () => {
    const handle = client.schedule.getHandle('daily');
    await handle.pause('hold');
    expect((await handle.describe()).state).toMatchObject({ paused: true, note: 'hold' });
    await handle.unpause();
    await handle.trigger('ALLOW_ALL');
    await handle.backfill({
      start: new Date('2026-01-05T00:00:00Z'),
      end: new Date('2026-01-06T00:00:00Z'),
    });
    const deadline = Date.now() + 20_000;
    let kinds: string[] = [];
    while (Date.now() < deadline) {
      kinds = (await handle.describe()).info.recentActions.map((a) => a.kind);
      if (kinds.includes('trigger') && kinds.includes('backfill')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(kinds).toContain('trigger');
    expect(kinds).toContain('backfill');
    const recent = (await handle.describe()).info.recentActions;
    expect(recent[0]!.scheduledAt).toBeInstanceOf(Date);

    for (const id of ['list-1', 'list-2', 'list-3']) {
      await client.schedule.create({
        scheduleId: id,
        spec: { intervals: [{ every: '1 day' }] },
        action: { type: 'startWorkflow', workflowType: 'greet' },
      });
    }
    const seen: ScheduleSummary[] = [];
    for await (const s of client.schedule.list({ pageSize: 1 })) seen.push(s);
    expect(seen.map((s) => s.scheduleId)).toEqual(['daily', 'list-1', 'list-2', 'list-3']);
    expect(seen[1]!.info.nextActionTimes[0]).toBeInstanceOf(Date);
    const filtered: string[] = [];
    for await (const s of client.schedule.list({ query: "WorkflowId = 'list-2'" }))
      filtered.push(s.scheduleId);
    expect(filtered).toEqual(['list-2']);
  });

  it('throws the typed errors: already_exists, not_found, invalid_argument', async () => {
    const options = {
      scheduleId: 'list-1',
      spec: { intervals: [{ every: '1 day' }] },
      action: { type: 'startWorkflow' as const, workflowType: 'greet' },
    };
    expect((await errorOf(client.schedule.create(options))).code).toBe('already_exists');
    expect((await errorOf(client.schedule.getHandle('nope').describe())).code).toBe('not_found');
    expect((await errorOf(client.schedule.getHandle('nope').delete())).code).toBe('not_found');
    const bad = await errorOf(
      client.schedule.create({ ...options, scheduleId: 'bad', spec: { timezone: 'Mars/Olympus' } }),
    );
    expect(bad.code).toBe('invalid_argument');
  });

  it('deletes', async () => {
    await client.schedule.getHandle('list-3').delete();
    expect((await errorOf(client.schedule.getHandle('list-3').describe())).code).toBe('not_found');
  });
});

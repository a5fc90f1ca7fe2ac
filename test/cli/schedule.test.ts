// `aion schedule …` against a real server on loopback (the CLI runs in-process): create with
// spec, action and policy flags, describe (human and JSON), list, update, pause, unpause,
// trigger, backfill, delete, and the invalid_argument errors of bad flags.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});

afterAll(async () => {
  await t.stop();
});

async function aion(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args, '--address', t.url], {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

/** The fields of a description (JSON) the tests read. */
interface DescribedJson {
  spec: { cronExpressions?: string[]; intervals?: unknown[]; timezone?: string };
  policies: Record<string, unknown>;
  action: { args?: unknown[] };
  state: { paused: boolean; note?: string };
  info: { recentActions: { kind: string }[] };
}

async function describeJson(id: string): Promise<DescribedJson> {
  const out = await aion('--json', 'schedule', 'describe', id);
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as DescribedJson;
}

async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('aion schedule', () => {
  it('creates a schedule from flags and describes it', async () => {
    const created = await aion(
      'schedule',
      'create',
      'reports',
      '--cron',
      '0 9 * * *',
      '--cron',
      '30 17 * * 1-5',
      '--time-zone',
      'Europe/Paris',
      '--workflow-type',
      'greet',
      '--input',
      '["Ada"]',
      '--overlap',
      'buffer_one',
      '--catchup-window',
      '10m',
      '--pause-on-failure',
      '--note',
      'daily reports',
      '--memo',
      '{"team":"billing"}',
    );
    expect(created, created.stderr).toMatchObject({
      code: 0,
      stdout: 'created schedule reports\n',
    });

    const d = await describeJson('reports');
    expect(d).toMatchObject({
      spec: { cronExpressions: ['0 9 * * *', '30 17 * * 1-5'], timezone: 'Europe/Paris' },
      action: { workflowType: 'greet', args: ['Ada'] },
      policies: { overlap: 'BUFFER_ONE', catchupWindow: 600_000, pauseOnFailure: true },
      state: { paused: false, note: 'daily reports' },
      memo: { team: 'billing' },
    });

    const text = (await aion('schedule', 'describe', 'reports')).stdout;
    expect(text).toContain('Schedule     reports');
    expect(text).toContain('cron 0 9 * * *');
    expect(text).toContain('Time zone    Europe/Paris');
    expect(text).toContain('overlap BUFFER_ONE, catch-up window 10m, pause on failure yes');
    // The next five fires, each in Paris time and in UTC.
    const next = text.split('Next fires')[1]!.split('Recent actions')[0]!;
    const rows = next.split('\n').filter((l) => /^\s+\d{4}-/.test(l));
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row).toMatch(/ (09:00:00|17:30:00) (CET|CEST|GMT\+\d).*Z$/);
  });

  it('lists schedules as a table, filtered with --query', async () => {
    await aion('schedule', 'create', 'hourly', '--interval', '1h/15m', '--workflow-type', 'greet');
    const table = await aion('schedule', 'list');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SCHEDULE\s+WORKFLOW TYPE\s+STATE\s+NEXT FIRE \(UTC\)\s+SPEC$/);
    expect(
      lines.some((l) => /^hourly\s+greet\s+ACTIVE\s+\S+ \S+Z\s+every 1h offset 15m$/.test(l)),
    ).toBe(true);
    const filtered = await aion('--json', 'schedule', 'list', '--query', "WorkflowId = 'hourly'");
    const ids = (JSON.parse(filtered.stdout) as { schedules: { scheduleId: string }[] }).schedules;
    expect(ids.map((s) => s.scheduleId)).toEqual(['hourly']);
  });

  it('updates only what the flags name', async () => {
    const out = await aion(
      'schedule',
      'update',
      'reports',
      '--interval',
      '2h',
      '--overlap',
      'ALLOW_ALL',
    );
    expect(out, out.stderr).toMatchObject({ code: 0, stdout: 'updated schedule reports\n' });
    const d = await describeJson('reports');
    expect(d.spec.cronExpressions).toBeUndefined();
    expect(d.spec.intervals).toHaveLength(1);
    expect(d.spec.timezone).toBe('Europe/Paris');
    expect(d.policies).toMatchObject({ overlap: 'ALLOW_ALL', pauseOnFailure: true });
    expect(d.action.args).toEqual(['Ada']);
    expect(d.state.note).toBe('daily reports');
  });

  it('pauses, unpauses, triggers, backfills and deletes', async () => {
    expect((await aion('schedule', 'pause', 'hourly', '--note', 'hold')).stdout).toBe(
      'paused schedule hourly\n',
    );
    expect((await describeJson('hourly')).state).toEqual({ paused: true, note: 'hold' });
    expect((await aion('schedule', 'describe', 'hourly')).stdout).toContain(
      'State        PAUSED, note: hold',
    );
    expect((await aion('schedule', 'unpause', 'hourly')).code).toBe(0);
    expect((await describeJson('hourly')).state.paused).toBe(false);

    expect((await aion('schedule', 'trigger', 'hourly', '--overlap', 'ALLOW_ALL')).code).toBe(0);
    const backfill = await aion(
      'schedule',
      'backfill',
      'hourly',
      '--start',
      '2026-01-01T00:00:00Z',
      '--end',
      '2026-01-01T03:00:00Z',
      '--overlap',
      'ALLOW_ALL',
    );
    expect(backfill, backfill.stderr).toMatchObject({ code: 0 });
    await until('the trigger and the backfill to be taken', async () => {
      const kinds = (await describeJson('hourly')).info.recentActions.map((a) => a.kind);
      return kinds.includes('trigger') && kinds.includes('backfill');
    });
    const text = (await aion('schedule', 'describe', 'hourly')).stdout;
    expect(text).toMatch(/trigger\s+started\s+hourly-/);
    expect(text).toMatch(/Actions\s+taken [1-9]/);

    expect((await aion('schedule', 'delete', 'hourly')).stdout).toBe('deleted schedule hourly\n');
    const gone = await aion('schedule', 'describe', 'hourly');
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain('error[not_found]');
  });

  it('refuses bad flags with invalid_argument naming the flag', async () => {
    const cases: [string[], string][] = [
      [['--cron', '0 * * * *'], '--workflow-type'],
      [['--workflow-type', 'greet'], '--cron'],
      [['--cron', '0 * * * *', '--workflow-type', 'greet', '--input', 'Ada'], '--input'],
      [['--interval', '1h/', '--workflow-type', 'greet'], '--interval'],
      [['--cron', '0 * * * *', '--workflow-type', 'greet', '--overlap', 'sometimes'], '--overlap'],
      [['--cron', '0 * * * *', '--workflow-type', 'greet', '--start-at', 'soon'], '--start-at'],
      [['--calendar', '[1]', '--workflow-type', 'greet'], '--calendar'],
    ];
    for (const [flags, named] of cases) {
      const out = await aion('schedule', 'create', 'bad', ...flags);
      expect(out.code, flags.join(' ')).toBe(2);
      expect(out.stderr).toContain('error[invalid_argument]');
      expect(out.stderr).toContain(named);
    }
    const cron = await aion(
      'schedule',
      'create',
      'bad',
      '--cron',
      '99 * * * *',
      '--workflow-type',
      'greet',
    );
    expect(cron.code).toBe(2);
    expect(cron.stderr).toContain('error[invalid_argument]');
    const dup = await aion(
      'schedule',
      'create',
      'reports',
      '--cron',
      '0 * * * *',
      '--workflow-type',
      'greet',
    );
    expect(dup.stderr).toContain('error[already_exists]');
  });
});

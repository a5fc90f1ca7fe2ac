import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const header = `import { proxyActivities } from 'aion/workflow';
const { step } = proxyActivities<{ step(n: number): Promise<number> }>({ startToCloseTimeout: '5s' });
`;
// v1 crashes (a bug, not a failure) after its first activity.
const BUGGY = `${header}export async function order(): Promise<number> {
  const a = await step(1);
  if (a === 1) (undefined as unknown as { x: number }).x = 1;
  return a;
}`;
// v2 fixes the bug; its commands up to the crash are the same, so v1 histories replay.
const FIXED = `${header}export async function order(): Promise<number> {
  const a = await step(1);
  return a + (await step(2));
}`;
// v3 starts with a timer instead of the activity: v1 histories diverge.
const DIVERGENT = `import { proxyActivities, sleep } from 'aion/workflow';
const { step } = proxyActivities<{ step(n: number): Promise<number> }>({ startToCloseTimeout: '5s' });
export async function order(): Promise<number> {
  await sleep(10);
  return await step(99);
}`;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const activities = { step: async (n: number) => n };
let dir: string | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown();
  await engine?.store.close();
  engine = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
}

async function open(
  file: string,
  db: string,
  extra: Parameters<typeof createEngine>[0] = {},
): Promise<Engine> {
  engine = await createEngine({
    store: await openSqliteStore({ path: db }),
    workflowsPath: file,
    activities,
    logger: quiet,
    supervision: { maxRestarts: 1, withinMs: 60_000 },
    ...extra,
  });
  return engine;
}

async function reopen(file: string, db: string): Promise<Engine> {
  await engine!.shutdown();
  await engine!.store.close();
  return open(file, db);
}

describe('supervision', () => {
  it('parks a crashing run as stuck (durably), then re-pins it to fixed code and resumes', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-super-'));
    const file = path.join(dir, 'workflows.ts');
    const db = path.join(dir, 'aion.db');
    writeFileSync(file, BUGGY);
    let e = await open(file, db);
    const h = await e.start('order', { workflowId: 'o1' });
    await until(async () => (await h.describe()).stuck !== undefined);
    const parked = await h.describe();
    expect(parked.status).toBe('RUNNING');
    expect(parked.stuck?.reason).toContain('Cannot set properties of undefined');
    expect(await e.count({ query: 'Stuck = true' })).toBe(1);

    // A restart keeps the flag and does not retry the run by itself.
    e = await reopen(file, db);
    const length = (await e.getHandle('o1').fetchHistory()).events.length;
    await new Promise((r) => setTimeout(r, 300));
    expect((await e.getHandle('o1').describe()).stuck).toBeDefined();
    expect((await e.getHandle('o1').fetchHistory()).events.length).toBe(length);

    // Code that diverges from the history is refused; the run stays parked with the reason.
    writeFileSync(file, DIVERGENT);
    e = await reopen(file, db);
    await until(async () =>
      ((await e.getHandle('o1').describe()).stuck?.reason ?? '').includes('does not replay'),
    );

    // Fixed code that replays the history: re-pinned at startup and resumed.
    writeFileSync(file, FIXED);
    e = await reopen(file, db);
    expect(await e.getHandle('o1').result()).toBe(3);
    const events = (await e.getHandle('o1').fetchHistory()).events;
    const repin = events.find((x) => x.type === 'WorkflowRepinned');
    expect(repin).toBeDefined();
    const described = await e.getHandle('o1').describe();
    expect(described.stuck).toBeUndefined();
    expect(described.version).toBe((repin as { toVersion: string }).toVersion);
  });

  it('fails the run instead of parking it for workflow types configured so', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-super-'));
    const file = path.join(dir, 'workflows.ts');
    writeFileSync(file, BUGGY);
    const e = await open(file, path.join(dir, 'aion.db'), {
      supervision: { maxRestarts: 1, withinMs: 60_000, failTypes: ['order'] },
    });
    const h = await e.start('order');
    await expect(h.result()).rejects.toMatchObject({
      status: 'FAILED',
      message: expect.stringContaining('repeated task crashes'),
    });
  });
});

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine, EngineOptions } from '../../src/index.js';
import { engineOnFileEachTest } from '../support/engine-on-file.js';
import { parkedReason, untilTrue } from '../support/parked-runs.js';
import { quiet } from '../support/quiet-logger.js';

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

const activities = { step: async (n: number) => n };
const engines = engineOnFileEachTest('aion-super-');

async function open(file: string, extra: Omit<EngineOptions, 'store'> = {}): Promise<Engine> {
  return engines.open({
    workflowsPath: file,
    activities,
    logger: quiet,
    supervision: { maxRestarts: 1, withinMs: 60_000 },
    ...extra,
  });
}

async function reopen(file: string): Promise<Engine> {
  await engines.close();
  return open(file);
}

describe('supervision', () => {
  it('parks a crashing run as stuck (durably), then re-pins it to fixed code and resumes', async () => {
    const file = path.join(engines.dir, 'workflows.ts');
    writeFileSync(file, BUGGY);
    let e = await open(file);
    const h = await e.start('order', { workflowId: 'o1' });
    expect(await parkedReason(h)).toContain('Cannot set properties of undefined');
    expect(await e.count({ query: 'Stuck = true' })).toBe(1);
    expect((await e.list()).items.map((i) => [i.workflowId, i.stuck])).toEqual([['o1', true]]);

    // A restart keeps the flag and does not retry the run by itself.
    e = await reopen(file);
    const length = (await e.getHandle('o1').fetchHistory()).events.length;
    await new Promise((r) => setTimeout(r, 300));
    expect((await e.getHandle('o1').describe()).stuck).toBeDefined();
    expect((await e.getHandle('o1').fetchHistory()).events.length).toBe(length);

    // Code that diverges from the history is refused; the run stays parked with the reason.
    writeFileSync(file, DIVERGENT);
    e = await reopen(file);
    await untilTrue('the refusal', async () =>
      ((await e.getHandle('o1').describe()).stuck?.reason ?? '').includes('does not replay'),
    );

    // Fixed code that replays the history: re-pinned at startup and resumed.
    writeFileSync(file, FIXED);
    e = await reopen(file);
    expect(await e.getHandle('o1').result()).toBe(3);
    const events = (await e.getHandle('o1').fetchHistory()).events;
    const repin = events.find((x) => x.type === 'WorkflowRepinned');
    expect(repin).toBeDefined();
    const described = await e.getHandle('o1').describe();
    expect(described.stuck).toBeUndefined();
    expect((await e.list()).items.map((i) => [i.workflowId, i.stuck])).toEqual([['o1', false]]);
    expect(described.version).toBe((repin as { toVersion: string }).toVersion);
  });

  it('fails the run instead of parking it for workflow types configured so', async () => {
    const file = path.join(engines.dir, 'workflows.ts');
    writeFileSync(file, BUGGY);
    const e = await open(file, {
      supervision: { maxRestarts: 1, withinMs: 60_000, failTypes: ['order'] },
    });
    const h = await e.start('order');
    await expect(h.result()).rejects.toMatchObject({
      status: 'FAILED',
      message: expect.stringContaining('repeated task crashes'),
    });
  });
});

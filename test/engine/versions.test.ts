import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/index.js';
import { engineOnFileEachTest } from '../support/engine-on-file.js';

const V1 = `import { condition, defineSignal, setHandler } from 'aion/workflow';
export const go = defineSignal('go');
export async function pinned(): Promise<string> {
  let ok = false;
  setHandler(go, () => { ok = true; });
  await condition(() => ok);
  return 'v1';
}
`;

// v2 changes the command sequence: replaying a v1 history on it would diverge.
const V2 = `import { condition, defineSignal, setHandler, sleep } from 'aion/workflow';
export const go = defineSignal('go');
export async function pinned(): Promise<string> {
  await sleep(1);
  let ok = false;
  setHandler(go, () => { ok = true; });
  await condition(() => ok);
  return 'v2';
}
`;

const engines = engineOnFileEachTest('aion-versions-');

function versionOf(events: readonly HistoryEvent[]): string {
  const started = events[0];
  if (started?.type !== 'WorkflowStarted') throw new Error('no start');
  return started.version;
}

describe('package versions across restarts', () => {
  it('replays a run on the version it started on after the code on disk changed; new starts use the new code', async () => {
    const file = path.join(engines.dir, 'workflows.ts');
    writeFileSync(file, V1);
    let engine = await engines.open({ workflowsPath: file });
    const old = await engine.start('pinned', { workflowId: 'old' });
    const v1 = versionOf((await old.fetchHistory()).events);
    await engines.close();

    writeFileSync(file, V2);
    engine = await engines.open({ workflowsPath: file });
    const fresh = await engine.start('pinned', { workflowId: 'fresh' });
    const v2 = versionOf((await fresh.fetchHistory()).events);
    expect(v2).not.toBe(v1);

    // The old run is rebuilt from the store on v1 (v2 would not replay its history).
    await engine.getHandle('old').signal('go');
    expect(await engine.getHandle('old').result()).toBe('v1');
    await fresh.signal('go');
    expect(await fresh.result()).toBe('v2');
    const oldEvents = (await engine.getHandle('old').fetchHistory()).events;
    expect(oldEvents.some((e) => e.type === 'WorkflowTaskFailed')).toBe(false);
    expect((await engine.getHandle('old').describe()).version).toBe(v1);
  });
});

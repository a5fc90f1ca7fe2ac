import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import type { Decision } from '../../examples/approval/workflows.js';
import { exampleWorkflows, recording } from './helpers.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown();
  engine = undefined;
});

async function setup() {
  const notified: string[] = [];
  const rec = recording({
    notifyApprovers: async (_id: string, title: string) => void notified.push(`ask ${title}`),
    notifyRequester: async (who: string, _title: string, outcome: string) =>
      void notified.push(`${who} ${outcome}`),
  });
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath: exampleWorkflows('approval'),
    activities: rec.activities,
    workflowLogger: () => undefined,
  });
  return { engine, notified };
}

describe('examples/approval', () => {
  it('ends approved when the decide signal arrives before the timeout', async () => {
    const { engine, notified } = await setup();
    const handle = await engine.start<Decision>('approval', {
      args: [{ title: 'Laptop', requestedBy: 'ada', timeout: '1 minute' }],
    });
    expect(await handle.query('decision')).toBeUndefined();
    await handle.signal('decide', { approve: true, by: 'lin', comment: 'ok' });
    await handle.signal('decide', { approve: false, by: 'late' }); // the first decision wins
    expect(await handle.result()).toEqual({ outcome: 'approved', by: 'lin', comment: 'ok' });
    expect(notified).toEqual(['ask Laptop', 'ada approved']);
  });

  it('ends rejected on a negative decision', async () => {
    const { engine } = await setup();
    const handle = await engine.start<Decision>('approval', {
      args: [{ title: 'Boat', requestedBy: 'ada' }],
    });
    await handle.signal('decide', { approve: false, by: 'lin' });
    expect(await handle.result()).toEqual({ outcome: 'rejected', by: 'lin' });
  });

  it('ends timed-out when the durable timer wins the race', async () => {
    const { engine, notified } = await setup();
    const handle = await engine.start<Decision>('approval', {
      args: [{ title: 'Offsite', requestedBy: 'grace', timeout: '50ms' }],
    });
    expect(await handle.result()).toEqual({ outcome: 'timed-out' });
    expect(notified).toEqual(['ask Offsite', 'grace timed-out']);
    const types = (await handle.fetchHistory()).events.map((e) => e.type);
    expect(types).toContain('TimerFired');
    expect(types).not.toContain('SignalReceived');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { ENGINE_HARNESSES } from './harness.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('../fixtures/workflows/children.ts', import.meta.url).pathname;

let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 500 });
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
}

describe.each(ENGINE_HARNESSES)('child workflows on $name', (harness) => {
  async function start(): Promise<Engine> {
    handle = await harness.create();
    engine = await createEngine({ store: handle.store, workflowsPath, logger: quiet });
    return engine;
  }

  it('runs a child: recorded before it exists, started once, its result returned', async () => {
    const e = await start();
    const h = await e.start('parent', { workflowId: 'p', args: [20] });
    expect(await h.result()).toBe(41);
    const events = (await h.fetchHistory()).events.map((x) => x.type);
    expect(events.indexOf('ChildWorkflowInitiated')).toBeLessThan(
      events.indexOf('ChildWorkflowStarted'),
    );
    expect(events).toContain('ChildWorkflowCompleted');
    const children = await e.list({ workflowType: 'child' });
    expect(children.items).toHaveLength(1);
    const childStart = (await e.getHandle(children.items[0]!.workflowId).fetchHistory())
      .events[0] as { parent?: { workflowId: string } };
    expect(childStart.parent?.workflowId).toBe('p');
  });

  it('follows the child continue-as-new chain', async () => {
    const e = await start();
    expect(await e.execute('parentOfChain')).toBe(200);
    expect(await e.count({ workflowType: 'chainedChild' })).toBe(3);
  });

  it('reports child failures, unknown types and id conflicts as ChildWorkflowFailure', async () => {
    const e = await start();
    expect(await e.execute('parentCatches')).toBe('ChildWorkflowFailure: BadInput: negative input');
    expect(await e.execute('unknownChild')).toBe('ChildWorkflowFailure');
    expect(await e.execute('duplicateChild', { workflowId: 'dup-parent' })).toBe(
      'ChildWorkflowFailure',
    );
    expect(await e.count({ workflowType: 'doesNotExist' })).toBe(0);
  });

  it('signals and cancels other workflows through external handles (recorded, delivered once)', async () => {
    const e = await start();
    const target = await e.start('waitingChild', { workflowId: 'target' });
    expect(await e.execute('messenger', { workflowId: 'm', args: ['target'] })).toEqual([
      'signalled',
      'missing: ApplicationFailure',
    ]);
    expect(await target.result()).toBe('released');
    const sent = (await e.getHandle('m').fetchHistory()).events.map((x) => x.type);
    expect(sent.filter((t) => t === 'ExternalSignalInitiated')).toHaveLength(2);
    expect(sent).toContain('ExternalSignalDelivered');
    expect(sent).toContain('ExternalSignalFailed');
    const victim = await e.start('waitingChild', { workflowId: 'victim' });
    expect(await e.execute('canceller', { args: ['victim'] })).toBe('cancel sent');
    expect(await victim.result()).toBe('cancelled');
  });

  it('cancels a child through a cancellation scope', async () => {
    const e = await start();
    // waitingChild returns 'cancelled' when cancelled, so the parent gets a result, not a failure.
    expect(await e.execute('scopedChild')).toBe('cancelled');
    await until(async () => (await e.getHandle('scoped-kid').describe()).status !== 'RUNNING');
    expect(await e.getHandle('scoped-kid').result()).toBe('cancelled');
  });

  it('a cancellation sent while the child is starting reaches the child once it starts', async () => {
    const e = await start();
    for (let i = 0; i < 5; i++) {
      const outcome = await e.execute('cancelBeforeStart', { args: [`early-kid-${i}`] });
      await until(
        async () => (await e.getHandle(`early-kid-${i}`).describe()).status !== 'RUNNING',
      );
      // The child saw the cancellation (it never got released), whatever the parent observed.
      expect(await e.getHandle(`early-kid-${i}`).result()).toBe('cancelled');
      expect(['child returned cancelled', 'child cancelled']).toContain(outcome);
    }
  });

  it('applies parent close policies when the parent is terminated', async () => {
    const e = await start();
    const h = await e.start('policyParent', { workflowId: 'pp' });
    await until(
      async () => (await e.count({ workflowType: 'waitingChild', status: 'RUNNING' })) === 3,
    );
    await h.terminate('done with it');
    await until(
      async () => (await e.getHandle('kid-terminate').describe()).status === 'TERMINATED',
    );
    await until(async () => (await e.getHandle('kid-cancel').describe()).status !== 'RUNNING');
    expect(await e.getHandle('kid-cancel').result()).toBe('cancelled');
    expect((await e.getHandle('kid-abandon').describe()).status).toBe('RUNNING');
    await e.getHandle('kid-abandon').signal('release');
    expect(await e.getHandle('kid-abandon').result()).toBe('released');
  });
});

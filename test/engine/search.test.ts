import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { ENGINE_HARNESSES } from './harness.js';

const workflowsPath = new URL('../fixtures/workflows/search.ts', import.meta.url).pathname;

let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 500 });
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
});

describe.each(ENGINE_HARNESSES)('search attributes on $name', (harness) => {
  async function start(): Promise<Engine> {
    handle = await harness.create();
    engine = await createEngine({
      store: handle.store,
      workflowsPath,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    await engine.registerSearchAttributes({
      CustomerId: 'Keyword',
      Stage: 'Keyword',
      Priority: 'Int',
      Tags: 'KeywordList',
    });
    return engine;
  }

  it('upserts from workflow code and finds runs with the query language', async () => {
    const e = await start();
    const a = await e.start('tracked', { workflowId: 'a', args: ['c-1'] });
    const b = await e.start('tracked', {
      workflowId: 'b',
      args: ['c-2'],
      searchAttributes: { Priority: 1 },
    });
    await e.whenIdle();
    expect(await e.count({ query: "CustomerId = 'c-1'" })).toBe(1);
    expect(await e.count({ query: "Tags = 'a' AND ExecutionStatus = 'Running'" })).toBe(2);
    await a.signal('advance', 'shipping');
    await e.whenIdle();
    const page = await e.list({ query: "Stage = 'shipping' AND Priority >= 3" });
    expect(page.items.map((i) => i.workflowId)).toEqual(['a']);
    expect(await e.count({ query: 'Tags IS NULL' })).toBe(1);
    const ordered = await e.list({ query: "WorkflowType = 'tracked' ORDER BY WorkflowId DESC" });
    expect(ordered.items.map((i) => i.workflowId)).toEqual(['b', 'a']);
    const described = await a.describe();
    expect(described.searchAttributes).toMatchObject({
      CustomerId: { type: 'Keyword', value: 'c-1' },
      Stage: { type: 'Keyword', value: 'shipping' },
    });
    expect(described.memo).toEqual({ note: { hello: 'world' } });
    // List items carry the same typed values as describe.
    expect(page.items[0]!.searchAttributes).toEqual(described.searchAttributes);
    expect(page.items[0]!.stuck).toBe(false);
    await a.signal('advance', 'done');
    await b.signal('advance', 'done');
    expect(await a.result()).toBe('done');
  });

  it('refuses unregistered and mistyped attributes with a clear error', async () => {
    const e = await start();
    await expect(
      e.start('tracked', { args: ['x'], searchAttributes: { Nope: 'x' } }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('search attribute Nope: is not registered'),
    });
    await expect(e.count({ query: "Nope = 'x'" })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    const h = await e.start('badUpsert', { workflowId: 'bad' });
    let failure: { message: string } | undefined;
    for (let i = 0; i < 200 && !failure; i++) {
      const ev = (await h.fetchHistory()).events.find((x) => x.type === 'WorkflowTaskFailed');
      failure = ev ? (ev as unknown as { failure: { message: string } }).failure : undefined;
      if (!failure) await new Promise((r) => setTimeout(r, 10));
    }
    expect(failure?.message).toContain('search attribute Priority: Int needs a safe integer');
  });

  it('carries search attributes to the continue-as-new successor', async () => {
    const e = await start();
    const h = await e.start('carries', { workflowId: 'carry', args: [0] });
    expect(await h.result()).toBe(2);
    expect(await e.count({ query: "CustomerId = 'carried'" })).toBe(3);
  });
});

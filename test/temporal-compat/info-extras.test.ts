// workflowInfo() extras, the default query handler, the stack-trace query names, the default
// workflow and activity, and defaultFailureConverter, as in @temporalio/workflow and worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { activityInfo } from '../../src/activity/index.js';
import {
  enhancedStackTraceQuery,
  stackTraceQuery,
  type EnhancedStackTrace,
} from '../../src/workflow/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/extras.ts', import.meta.url).pathname;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    logger: quiet,
    activities: {
      slow: () => new Promise<void>(() => undefined),
      default: (...args: unknown[]) =>
        Promise.resolve(`${activityInfo().activityType} ran ${args.length} args`),
    },
  });
  await engine.registerSearchAttributes({
    CustomKeywordField: 'Keyword',
    Tags: 'KeywordList',
    Count: 'Int',
  });
});

afterAll(() => engine.shutdown());

describe('workflowInfo() extras', () => {
  it('searchAttributes start from the start options and follow upserts (list form)', async () => {
    const h = await engine.start('infoExtras', {
      workflowId: 'info-sa',
      searchAttributes: { CustomKeywordField: ['a'] },
    });
    await h.signal('finish');
    expect(await h.result()).toEqual({
      before: { CustomKeywordField: ['a'] },
      afterUpsert: { CustomKeywordField: ['b'], Tags: ['x', 'y'], Count: [3] },
      afterRemove: { CustomKeywordField: ['b'], Tags: ['x', 'y'] },
      priority: {},
      replaying: false,
    });
    expect((await h.describe()).searchAttributes).toEqual({
      CustomKeywordField: { type: 'Keyword', value: 'b' },
      Tags: { type: 'KeywordList', value: ['x', 'y'] },
    });
  });
});

describe('queries', () => {
  it('setDefaultQueryHandler answers names without a handler of their own', async () => {
    const h = await engine.start('defaultQueries', { workflowId: 'info-default-query' });
    expect(await h.query('anything', 1, 'two')).toBe('anything:[1,"two"]:1');
    expect(await h.query('other')).toBe('other:[]:2');
    await h.signal('finish');
    await h.result();
  });

  it('stackTraceQuery and enhancedStackTraceQuery name the built-in stack traces', async () => {
    const h = await engine.start('waitsOnActivity', { workflowId: 'info-stack' });
    const deadline = performance.now() + 20_000;
    let text = '';
    while (!/waiting on activity .*slow/.test(text) && performance.now() < deadline)
      text = await h.query(stackTraceQuery);
    expect(text).toMatch(/waiting on activity .*slow/);
    const enhanced = await h.query<EnhancedStackTrace>(enhancedStackTraceQuery);
    expect(enhanced.sdk.name).toBe('aion');
    expect(enhanced.stacks).toHaveLength(1);
    expect(enhanced.stacks[0]!.locations[0]!.function_name).toMatch(/waiting on activity .*slow/);
    expect(enhanced.stacks[0]!.locations.some((l) => typeof l.line === 'number')).toBe(true);
    await h.terminate('done');
  });
});

describe('defaults and converters', () => {
  it('a default workflow export runs unknown types; a default activity runs unknown activities', async () => {
    expect(
      await engine.execute('neverDeclared', { workflowId: 'info-dynamic', args: [1, 'b'] }),
    ).toBe('neverDeclared([1,"b"]) -> anything ran 2 args');
  });

  it('defaultFailureConverter round-trips an ApplicationFailure', async () => {
    expect(await engine.execute('convertsFailures', { workflowId: 'info-failures' })).toEqual({
      type: 'OutOfStock',
      retryable: false,
      isApplicationFailure: true,
      message: 'no stock',
      details: [{ sku: 'A1' }],
    });
  });
});

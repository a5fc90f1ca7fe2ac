// continueAsNew / makeContinueAsNewFunc options `memo` and `searchAttributes` (as in
// @temporalio/workflow): given, they replace the run's on the successor; absent, the run's
// (with its upserts) are carried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/continue-as-new-options.ts', import.meta.url).pathname;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({ store: createMemoryStore(), workflowsPath, logger: quiet });
  await engine.registerSearchAttributes({ CustomKeywordField: 'Keyword' });
});

afterAll(() => engine.shutdown());

const START = { memo: { note: 'foo' }, searchAttributes: { CustomKeywordField: ['first'] } };

describe('continueAsNew options', () => {
  it('memo and searchAttributes given replace the run’s on the successor', async () => {
    const h = await engine.start('continuesWith', {
      workflowId: 'can-options-set',
      ...START,
      args: [{ memo: { note: 'bar' }, searchAttributes: { CustomKeywordField: ['second'] } }],
    });
    expect(await h.result()).toEqual({ CustomKeywordField: ['second'] });
    const d = await h.describe();
    expect(d.runId).not.toBe(h.firstExecutionRunId);
    expect(d.memo).toEqual({ note: 'bar' });
    expect(d.searchAttributes).toEqual({
      CustomKeywordField: { type: 'Keyword', value: 'second' },
    });
  });

  it('without them, the run’s memo (with its upserts) and search attributes are carried', async () => {
    const h = await engine.start('continuesWith', { workflowId: 'can-options-carry', ...START });
    expect(await h.result()).toEqual({ CustomKeywordField: ['first'] });
    const d = await h.describe();
    expect(d.runId).not.toBe(h.firstExecutionRunId);
    expect(d.memo).toEqual({ note: 'foo', upserted: true });
  });
});

// Workflow code that reads process.env.NODE_ENV (as libraries such as immer do) builds and
// runs, as it does under Temporal's bundler; ApplicationFailureCategory is a workflow export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/node-env.ts', import.meta.url).pathname;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({ store: createMemoryStore(), workflowsPath, logger: quiet });
});

afterAll(() => engine.shutdown());

describe('build-time constants and workflow exports', () => {
  it('process.env.NODE_ENV is the constant "development" in workflow code', async () => {
    expect(await engine.execute('nodeEnv', { workflowId: 'node-env' })).toBe('development');
  });

  it('a workflow can fail with a BENIGN ApplicationFailure from aion/workflow', async () => {
    const h = await engine.start('benign', { workflowId: 'benign-wf' });
    const err = await h.result().catch((e: unknown) => e);
    expect(err).toMatchObject({ cause: { message: 'nothing to do', category: 'BENIGN' } });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import * as activities from '../../examples/hello-world/activities.js';
import { exampleWorkflows } from './helpers.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown();
  engine = undefined;
});

describe('examples/hello-world', () => {
  it('greets through the activity and records it in history', async () => {
    const lines: string[] = [];
    engine = await createEngine({
      store: createMemoryStore(),
      workflowsPath: exampleWorkflows('hello-world'),
      activities,
      workflowLogger: (line) => lines.push(line.message),
    });
    const handle = await engine.start<string>('helloWorld', { args: ['Ada'] });
    expect(await handle.result()).toBe('Hello, Ada!');
    expect(lines).toEqual(['greeting Ada']);
    const types = (await handle.fetchHistory()).events.map((e) => e.type);
    expect(types).toContain('ActivityCompleted');
    expect(types.at(-1)).toBe('WorkflowCompleted');
  });
});

// A package's exported payloadConverter is what its workflow code encodes and decodes with;
// the engine's host side is configured with the same converter (EngineOptions.payloadConverter).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { payloadConverter } from './fixtures/converter.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('./fixtures/converter.ts', import.meta.url).pathname;

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    logger: quiet,
    payloadConverter,
  });
});

afterAll(() => engine.shutdown());

describe("a package's own payload converter", () => {
  it('workflow code gets and returns values the default JSON converter cannot carry', async () => {
    const h = await engine.start('nextDay', {
      workflowId: 'converter-1',
      args: [new Date('2026-01-01T00:00:00Z')],
    });
    const result = await h.result();
    expect(result).toBeInstanceOf(Date);
    expect((result as Date).toISOString()).toBe('2026-01-02T00:00:00.000Z');
    const { events } = await h.fetchHistory();
    const started = events[0] as unknown as { args: { encoding: string }[] };
    expect(started.args[0]!.encoding).toBe('json/date');
  });
});

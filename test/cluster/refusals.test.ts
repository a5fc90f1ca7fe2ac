/** Cluster mode needs a store several processes share: on memory and SQLite it is refused. */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory/index.js';
import { quiet } from '../support/quiet-logger.js';

describe('cluster mode on a store one process owns', () => {
  it('is refused with a clear error', async () => {
    await expect(
      createEngine({ store: new MemoryStore(), cluster: true, logger: quiet }),
    ).rejects.toMatchObject({ code: 'invalid_argument', details: { field: 'cluster' } });
  });
});

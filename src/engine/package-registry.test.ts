import { describe, expect, it } from 'vitest';
import { AionError } from '../core/index.js';
import type { WorkflowThread } from '../runtime/index.js';
import { createMemoryStore } from '../store/memory/index.js';
import { PackageRegistry } from './package-registry.js';

async function unloadError(registry: PackageRegistry, version: string): Promise<AionError> {
  try {
    await registry.unload('default', version);
  } catch (e) {
    if (e instanceof AionError) return e;
    throw e;
  }
  throw new Error('unload succeeded');
}

describe('PackageRegistry in-flight holds', () => {
  it('refuses to unload a version an in-flight start holds, until every hold is released', async () => {
    // Unload never touches the workflow thread.
    const registry = new PackageRegistry(createMemoryStore(), {} as WorkflowThread);
    const version = 'a'.repeat(64);
    const first = registry.hold(version);
    const second = registry.hold(version);

    let err = await unloadError(registry, version);
    expect(err.code).toBe('invalid_state');
    expect(err.details).toMatchObject({
      reason: 'in_flight_start',
      holder: '2 in-flight start(s)',
    });

    first();
    first(); // releasing twice is a no-op
    err = await unloadError(registry, version);
    expect(err.details).toMatchObject({ holder: '1 in-flight start(s)' });

    second();
    // No hold left: the store decides (this version was never deployed).
    expect((await unloadError(registry, version)).code).toBe('not_found');
  });
});

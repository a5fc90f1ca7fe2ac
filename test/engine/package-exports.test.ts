import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { buildPackage } from '../../src/package/index.js';
import { directExports } from '../../src/package/build.js';

const workflowsPath = new URL('../fixtures/workflows/exports/entry.ts', import.meta.url).pathname;

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 500 });
  engine = undefined;
});

describe('package exports', () => {
  it('runs workflows declared in the entry, renamed, and re-exported from another module', async () => {
    engine = await createEngine({ store: createMemoryStore(), workflowsPath, activities: {} });
    expect(await engine.execute('direct')).toBe('direct');
    expect(await engine.execute('aliased')).toBe('aliased');
    expect(await engine.execute('fromMore')).toBe('more');
  });

  it('gives each run its own module state', async () => {
    engine = await createEngine({ store: createMemoryStore(), workflowsPath, activities: {} });
    const a = await engine.start('counting', { args: [2] });
    const b = await engine.start('counting', { args: [1] });
    await a.signal('bump');
    await b.signal('bump');
    await a.signal('bump');
    expect(await b.result()).toBe(1);
    expect(await a.result()).toBe(2);
  });

  it('uses the entry exports object as the module exports (no per-run copy)', async () => {
    const built = await buildPackage({ workflowsPath });
    // The user section (after the runtime section, which is evaluated once per sandbox).
    const user = built.bundle.slice(built.bundle.indexOf('globalThis.__aionUserFactory'));
    expect(user).not.toMatch(/^module\.exports = __toCommonJS\(/m);
    expect(user).toMatch(/^module\.exports = entry_exports;$/m);
    expect(built.manifest.workflowTypes.map((t) => t.name).sort()).toEqual([
      'aliased',
      'counting',
      'direct',
      'fromMore',
    ]);
  });

  it('rewrites only the top-level assignment of the entry', () => {
    const code = [
      'var require_dep = __commonJS({ "dep.js"(exports, module) {',
      '  module.exports = __toCommonJS(dep_exports);',
      '} });',
      'module.exports = __toCommonJS(entry_exports);',
    ].join('\n');
    expect(directExports(code).split('\n')).toEqual([
      'var require_dep = __commonJS({ "dep.js"(exports, module) {',
      '  module.exports = __toCommonJS(dep_exports);',
      '} });',
      'module.exports = entry_exports;',
    ]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { buildPackage } from '../../src/package/index.js';
import { directExports, plainExports } from '../../src/package/entry-exports.js';

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

  it('uses the entry exports object as the module exports, with plain properties (no per-run copy, no getters)', async () => {
    const built = await buildPackage({ workflowsPath });
    // The user section (after the runtime section, which is evaluated once per sandbox).
    const user = built.bundle.slice(built.bundle.indexOf('globalThis.__aionUserFactory'));
    expect(user).not.toMatch(/^module\.exports = __toCommonJS\(/m);
    expect(user).toMatch(/^module\.exports = entry_exports;$/m);
    expect(user).not.toContain('__export(entry_exports');
    expect(user).toMatch(/^entry_exports\.aliased = inner;$/m);
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

  const bundled = (exportsBlock: string[], more: string[] = []): string =>
    [
      'var entry_exports = {};',
      '__export(entry_exports, {',
      ...exportsBlock,
      '});',
      'module.exports = __toCommonJS(entry_exports);',
      ...more,
      'function a() {}',
      'var c = 2;',
      '',
    ].join('\n');

  it('assigns the entry exports once the module body has run, quoted names included', () => {
    const code = bundled(['  a: () => a,', '  "x-y": () => c'], ['// more code']);
    expect(plainExports(code).split('\n')).toEqual([
      'var entry_exports = {};',
      'module.exports = entry_exports;',
      '// more code',
      'function a() {}',
      'var c = 2;',
      '',
      'entry_exports.a = a;',
      'entry_exports["x-y"] = c;',
      '',
    ]);
  });

  it('keeps the getters when the bundle reads the entry exports elsewhere (self-import, export * from CommonJS)', () => {
    const selfImport = bundled(['  a: () => a'], ['var x = entry_exports.a;']);
    expect(plainExports(selfImport)).toBe(directExports(selfImport));
    expect(plainExports(selfImport)).toContain('__export(entry_exports');
    const reExport = bundled(
      ['  a: () => a'],
      ['__reExport(entry_exports, require_cjs(), module.exports);'],
    );
    expect(plainExports(reExport)).toContain('__export(entry_exports');
    // An export line of another shape: left as esbuild wrote it.
    const odd = bundled(['  a: () => a,', '  b: function () { return c; }']);
    expect(plainExports(odd)).toContain('__export(entry_exports');
  });
});

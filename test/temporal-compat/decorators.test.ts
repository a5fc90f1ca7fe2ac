// Classes that decorators seal or freeze load and run: the bundle does not rename classes or
// functions after the fact (esbuild's keepNames did, failing with "Cannot redefine property:
// name"). Workflow types are export names, so a child started by function reference keeps its
// type even when the bundler renames the function to avoid a clash.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { quiet } from '../support/quiet-logger.js';

let dir: string | undefined;
let engine: Engine | undefined;

afterEach(async () => {
  await engine?.shutdown();
  engine = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(files: Record<string, string>): Promise<Engine> {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-decorators-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath: path.join(dir, 'wf.ts'),
    logger: quiet,
  });
  return engine;
}

const SEALED_CLASS = `
function sealed(target: any, _context?: unknown) {
  Object.seal(target);
  Object.seal(target.prototype);
}
function frozen(target: any, _context?: unknown) {
  Object.freeze(target);
}
@sealed
class Greeter {
  greet(name: string) { return 'hi ' + name; }
}
@frozen
class Counter {
  static start = 1;
}
export async function decorated(name: string): Promise<string> {
  return new Greeter().greet(name) + ' ' + Counter.start + ' ' + Greeter.name;
}
`;

describe('decorated classes in workflow code', () => {
  it('standard (TC39) decorators that seal and freeze classes', async () => {
    const e = await start({ 'wf.ts': SEALED_CLASS });
    expect(await e.execute('decorated', { workflowId: 'dec-tc39', args: ['ann'] })).toBe(
      'hi ann 1 Greeter',
    );
  });

  it('legacy TypeScript decorators (experimentalDecorators)', async () => {
    const e = await start({
      'wf.ts': SEALED_CLASS,
      'tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true } }),
    });
    expect(await e.execute('decorated', { workflowId: 'dec-legacy', args: ['bo'] })).toBe(
      'hi bo 1 Greeter',
    );
  });
});

describe('workflow types are export names', () => {
  it('a child started by function reference keeps its type when the bundler renames it', async () => {
    const e = await start({
      // Both modules declare a top-level `child`: the bundle renames one of them.
      'wf.ts': [
        "import { executeChild } from 'aion/workflow';",
        "import { child as other } from './other';",
        "export { child } from './child';",
        "import { child } from './child';",
        'export async function parent(): Promise<string> {',
        "  return (await executeChild(child, { workflowId: 'kid', args: ['x'] })) + other();",
        '}',
      ].join('\n'),
      'child.ts':
        'export async function child(v: string): Promise<string> { return `child:${v}`; }\n',
      'other.ts': "function child(): string { return '+other'; }\nexport { child };\n",
    });
    expect(await e.execute('parent', { workflowId: 'dec-parent' })).toBe('child:x+other');
  });
});

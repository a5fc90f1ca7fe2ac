// As in Temporal, every exported function of the workflow module is a workflow type (reserved
// exports aside), async or not; `aion check` warns about exported functions that are not async.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore } from '../../src/index.js';
import { buildPackage, checkWorkflows } from '../../src/package/index.js';
import { quiet } from '../support/quiet-logger.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function project(files: Record<string, string>): string {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-exports-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const FILES = {
  'wf.ts': [
    "import { sleep, type WorkflowInterceptors } from 'aion/workflow';",
    "export * from './more';",
    'export async function declared(): Promise<string> { await sleep(1); return "declared"; }',
    'export const arrow = async (): Promise<string> => "arrow";',
    "export function promising(): Promise<string> { return sleep(1).then(() => 'promising'); }",
    'function local(): string { return "local"; }',
    'export { local as renamed };',
    'export const workflowDefaults = { declared: { runTimeout: "1 hour" } };',
    'export const interceptors = (): WorkflowInterceptors => ({});',
    'export const notAFunction = 42;',
  ].join('\n'),
  'more.ts': 'export const helper = (n: number): number => n + 1;\n',
};

describe('exported functions are workflow types', () => {
  it('build lists every exported function, async or not, except reserved exports', async () => {
    const root = project(FILES);
    const built = await buildPackage({ workflowsPath: path.join(root, 'wf.ts') });
    expect(built.manifest.workflowTypes.map((t) => t.name)).toEqual([
      'arrow',
      'declared',
      'helper',
      'promising',
      'renamed',
    ]);
  });

  it('a non-async function returning a Promise runs as a workflow', async () => {
    const root = project(FILES);
    const engine = await createEngine({
      store: createMemoryStore(),
      workflowsPath: path.join(root, 'wf.ts'),
      logger: quiet,
    });
    try {
      expect(await engine.execute('promising', { workflowId: 'exp-promising' })).toBe('promising');
      expect(await engine.execute('renamed', { workflowId: 'exp-renamed' })).toBe('local');
    } finally {
      await engine.shutdown();
    }
  });

  it('aion check warns about exported functions that are not async, following re-exports', async () => {
    const root = project(FILES);
    const result = await checkWorkflows({ workflowsPath: path.join(root, 'wf.ts'), cwd: root });
    const warnings = result.findings
      .filter((f) => f.rule === 'non-async-workflow')
      .map((f) => `${f.file}:${f.line}:${f.severity}:${/function (\w+)/.exec(f.message)?.[1]}`);
    expect(warnings.sort()).toEqual([
      'more.ts:1:warning:helper',
      'wf.ts:5:warning:promising',
      'wf.ts:6:warning:renamed',
    ]);
    expect(result.errors).toBe(0);
  });
});

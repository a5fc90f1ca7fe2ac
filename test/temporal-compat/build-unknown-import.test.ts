// Workflow code importing a name `aion/workflow` (or a Node built-in shim) does not export is
// refused by `aion build` and `aion check`, naming the name and the file: otherwise it would
// bundle and every run would fail with "x is not a function".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AionError } from '../../src/core/index.js';
import { buildPackage, checkWorkflows } from '../../src/package/index.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function project(files: Record<string, string>): string {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-unknown-import-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function buildError(entry: string): Promise<AionError> {
  const err = await buildPackage({ workflowsPath: entry }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AionError);
  return err as AionError;
}

describe('build: unknown imports from aion/workflow', () => {
  it('names the imported name and the importing file (a helper module)', async () => {
    const root = project({
      'wf.ts':
        "import { greet } from './helper';\nexport async function hello() { return greet(); }\n",
      'helper.ts':
        "import { sleep, proxySnakes } from 'aion/workflow';\nexport async function greet() { await sleep(1); proxySnakes(); return 'hi'; }\n",
    });
    const err = await buildError(path.join(root, 'wf.ts'));
    expect(err.code).toBe('package_build_failed');
    expect(err.message).toContain('"proxySnakes"');
    expect(err.message).toContain('helper.ts:1');
    expect(err.details).toMatchObject({
      rule: 'unknown_import',
      imports: [{ name: 'proxySnakes', module: 'aion/workflow', file: 'helper.ts', line: 1 }],
    });
  });

  it('catches a namespace import used with an unknown member', async () => {
    const root = project({
      'wf.ts':
        "import * as wf from 'aion/workflow';\nexport async function hello() {\n  await wf.sleep(1);\n  return wf.notThere();\n}\n",
    });
    const err = await buildError(path.join(root, 'wf.ts'));
    expect(err.details).toMatchObject({
      rule: 'unknown_import',
      imports: [{ name: 'notThere', module: 'aion/workflow', line: 4 }],
    });
  });

  it('accepts type-only names and every value the API exports', async () => {
    const root = project({
      'wf.ts': [
        "import { sleep, WorkflowInfo, workflowInfo, ActivityOptions } from 'aion/workflow';",
        'const opts: ActivityOptions = {};',
        'export async function hello(): Promise<string> {',
        '  await sleep(1);',
        '  const info: WorkflowInfo = workflowInfo();',
        '  return info.workflowType + JSON.stringify(opts);',
        '}',
      ].join('\n'),
    });
    const built = await buildPackage({ workflowsPath: path.join(root, 'wf.ts') });
    expect(built.manifest.workflowTypes.map((t) => t.name)).toEqual(['hello']);
  });

  it('refuses a name a Node built-in shim does not provide', async () => {
    const root = project({
      'wf.ts':
        "import { promisify } from 'node:util';\nexport async function hello() { return typeof promisify; }\n",
    });
    const err = await buildError(path.join(root, 'wf.ts'));
    expect(err.message).toContain('"promisify"');
    expect(err.details).toMatchObject({ imports: [{ name: 'promisify', module: 'util' }] });
  });
});

describe('check: unknown imports', () => {
  it('reports unknown-import errors with file and line, and still scans the other files', async () => {
    const root = project({
      'wf.ts':
        "import { sleep } from 'aion/workflow';\nimport { later } from './helper';\nexport async function hello() { await sleep(1); later(); }\n",
      'helper.ts':
        "import { proxySnakes } from 'aion/workflow';\nexport function later() {\n  proxySnakes();\n  setInterval(() => 0, 5);\n}\n",
    });
    const result = await checkWorkflows({ workflowsPath: path.join(root, 'wf.ts'), cwd: root });
    expect(result.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'unknown-import',
          severity: 'error',
          file: 'helper.ts',
          line: 1,
          message: expect.stringContaining('"proxySnakes"') as unknown,
        }),
        expect.objectContaining({ rule: 'timer', file: 'helper.ts', line: 4 }),
      ]),
    );
    expect(result.errors).toBe(2);
  });
});

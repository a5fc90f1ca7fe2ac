// The Node built-ins Temporal's workflow bundler lets workflow code import (assert, url, util)
// resolve to deterministic shims bundled into the package; every other built-in stays refused.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { buildPackage, checkWorkflows } from '../../src/package/index.js';
import { quiet } from '../support/quiet-logger.js';

const WORKFLOWS = `
import assert from 'assert';
import { strictEqual, deepStrictEqual, throws, AssertionError } from 'node:assert';
import strict from 'node:assert/strict';
import { URL as NodeURL, URLSearchParams } from 'url';
import util, { format, inspect, isDeepStrictEqual, TextDecoder } from 'node:util';

export async function asserts(): Promise<string[]> {
  const out: string[] = [];
  assert(true);
  assert.ok(1);
  strictEqual(1, 1);
  deepStrictEqual({ a: [1, new Map([[1, 'x']])] }, { a: [1, new Map([[1, 'x']])] });
  throws(() => strict.equal(1, '1' as unknown), AssertionError);
  try {
    assert.deepStrictEqual({ a: 1 }, { a: 2 }, 'differ');
  } catch (err) {
    out.push((err as Error).name + ':' + (err as Error).message + ':' + (err as { code: string }).code);
  }
  try {
    assert(0);
  } catch (err) {
    out.push(String(err instanceof AssertionError));
  }
  return out;
}

export async function utilities(): Promise<unknown> {
  const url = new NodeURL('https://example.com/a?b=1');
  url.searchParams.append('c', '2');
  return {
    url: url.href,
    params: new URLSearchParams('x=1&y=2').get('y'),
    format: format('%s has %d items: %j', 'cart', 3, { a: 1 }),
    inspect: inspect({ a: 'x', b: [1, { c: new Set([1]) }] }),
    equal: [isDeepStrictEqual([1, { a: 1 }], [1, { a: 1 }]), util.isDeepStrictEqual(1, '1')],
    text: new TextDecoder().decode(new util.TextEncoder().encode('héllo')),
  };
}
`;

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-node-shims-'));
  writeFileSync(path.join(dir, 'wf.ts'), WORKFLOWS);
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath: path.join(dir, 'wf.ts'),
    logger: quiet,
  });
});

afterAll(async () => {
  await engine.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe('Node built-in shims in workflow code', () => {
  it('assert and assert/strict', async () => {
    expect(await engine.execute('asserts', { workflowId: 'shim-assert' })).toEqual([
      'AssertionError:differ:ERR_ASSERTION',
      'true',
    ]);
  });

  it('url and util (format, inspect, isDeepStrictEqual, TextEncoder/TextDecoder)', async () => {
    expect(await engine.execute('utilities', { workflowId: 'shim-util' })).toEqual({
      url: 'https://example.com/a?b=1&c=2',
      params: '2',
      format: 'cart has 3 items: {"a":1}',
      inspect: "{ a: 'x', b: [ 1, { c: [Set] } ] }",
      equal: [true, false],
      text: 'héllo',
    });
  });

  it('aion check accepts the shimmed imports and still refuses other built-ins', async () => {
    writeFileSync(
      path.join(dir, 'fs.ts'),
      "import { readFileSync } from 'node:fs';\nexport async function reads() { return readFileSync('x'); }\n",
    );
    const ok = await checkWorkflows({ workflowsPath: path.join(dir, 'wf.ts'), cwd: dir });
    expect(ok.findings).toEqual([]);
    expect(ok.files).toEqual(['wf.ts']);
    const refused = await checkWorkflows({ workflowsPath: path.join(dir, 'fs.ts'), cwd: dir });
    expect(refused.findings.map((f) => f.rule)).toEqual(['node-builtin-import']);
    await expect(buildPackage({ workflowsPath: path.join(dir, 'fs.ts') })).rejects.toMatchObject({
      code: 'package_build_failed',
    });
  });
});

describe('shim files are plain sandbox code', () => {
  it('a package using them is self-contained (no require of a Node module)', async () => {
    mkdirSync(path.join(dir, 'pkg'), { recursive: true });
    const built = await buildPackage({ workflowsPath: path.join(dir, 'wf.ts') });
    expect(built.bundle).not.toMatch(/require\(["'](node:)?(assert|url|util)["']\)/);
  });
});

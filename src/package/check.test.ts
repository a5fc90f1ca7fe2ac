import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkWorkflows, scanSource, type CheckRule } from './check/index.js';

async function rules(source: string, file = 'wf.ts'): Promise<string[]> {
  return (await scanSource(file, source)).map((f) => `${f.line}:${f.rule}`);
}

describe('scanSource: forbidden and non-deterministic APIs', () => {
  const cases: [string, string, CheckRule][] = [
    ['host timer', 'export async function w() { setInterval(() => 1, 5); }', 'timer'],
    [
      'timer via globalThis',
      'export async function w() { globalThis.setInterval(f, 1); }',
      'timer',
    ],
    ['queueMicrotask', 'export async function w() { queueMicrotask(() => 1); }', 'timer'],
    ['network I/O', "export async function w() { return fetch('http://x'); }", 'io'],
    ['WebSocket', "export async function w() { new WebSocket('ws://x'); }", 'io'],
    ['process.env', 'export async function w() { return process.env.HOME; }', 'host-global'],
    ['performance clock', 'export async function w() { return performance.now(); }', 'host-global'],
    ['Buffer', "export async function w() { return Buffer.from('x'); }", 'host-global'],
    ['crypto.subtle', 'export async function w() { return crypto.subtle; }', 'host-global'],
    ['WeakRef', 'export async function w() { return new WeakRef({}); }', 'gc-observable'],
    ['eval', "export async function w() { return eval('1'); }", 'code-generation'],
    [
      'new Function',
      "export async function w() { return new Function('return 1'); }",
      'code-generation',
    ],
    [
      'realm Date',
      'export async function w() { return globalThis.Date.now(); }',
      'global-realm-time',
    ],
    [
      'realm Math',
      'export async function w() { return window.Math.random(); }',
      'global-realm-time',
    ],
    [
      'computed import()',
      'export async function w(m: string) { return import(m); }',
      'dynamic-import',
    ],
    ['computed require()', 'export function w(m: string) { return require(m); }', 'dynamic-import'],
    [
      "import 'fs'",
      "import { readFileSync } from 'fs';\nexport const x = readFileSync;",
      'node-builtin-import',
    ],
    [
      "import 'node:crypto'",
      "import { createHash } from 'node:crypto';\nexport const x = createHash;",
      'node-builtin-import',
    ],
    ["require('os')", "const os = require('os');\nexport const x = os;", 'node-builtin-import'],
    [
      "import('node:path')",
      "export async function w() { return import('node:path'); }",
      'node-builtin-import',
    ],
    ["re-export from 'fs'", "export { readFile } from 'fs';", 'node-builtin-import'],
    [
      'value import of aion/activity',
      "import { Context } from 'aion/activity';\nexport const c = Context;",
      'host-import',
    ],
    ['global state', 'export async function w() { globalThis.count = 1; }', 'shared-global-state'],
    [
      'global state through a cast',
      'export async function w() { (globalThis as any).count = 1; }',
      'shared-global-state',
    ],
    [
      'host locale',
      'export async function w() { return new Date(0).toLocaleString(); }',
      'host-locale',
    ],
    [
      'host time zone',
      'export async function w() { return new Date(0).getTimezoneOffset(); }',
      'host-locale',
    ],
    [
      'Intl without locale',
      'export async function w() { return new Intl.NumberFormat(); }',
      'host-locale',
    ],
  ];
  for (const [what, source, rule] of cases) {
    it(`reports ${what} as ${rule}`, async () => {
      const found = await scanSource('wf.ts', source);
      expect(found.map((f) => f.rule)).toContain(rule);
      const f = found.find((x) => x.rule === rule)!;
      expect(f.hint.length).toBeGreaterThan(10);
      expect(f.line).toBeGreaterThanOrEqual(1);
    });
  }

  it('allows setTimeout and clearTimeout (durable timers in the sandbox)', async () => {
    expect(
      await rules('export async function w() { clearTimeout(setTimeout(() => 1, 5)); }'),
    ).toEqual([]);
  });

  it('allows process.env.NODE_ENV (replaced by the build) but not the rest of process', async () => {
    expect(
      await rules(
        "export async function w() { return process.env.NODE_ENV === 'production' ? 1 : process.env.HOME; }",
      ),
    ).toEqual(['1:host-global']);
  });

  it('reports the exact line and column', async () => {
    const found = await scanSource(
      'wf.ts',
      'const a = 1;\n\nexport async function w() {\n  a; setInterval(f, 1);\n}\n',
    );
    expect(found).toEqual([
      expect.objectContaining({ rule: 'timer', severity: 'error', line: 4, column: 6 }),
    ]);
  });

  it('accepts the deterministic APIs the sandbox provides per run', async () => {
    const source = `
      import { sleep, proxyActivities, uuid4 } from 'aion/workflow';
      import type * as activities from './activities';
      import { type Context } from 'aion/activity';
      import type { Client } from 'aion/client';
      const { charge } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
      let counter = 0;
      export async function order(id: string): Promise<string> {
        counter++;
        const started = Date.now();
        const when = new Date().toISOString();
        const pick = Math.floor(Math.random() * 10);
        const key = crypto.randomUUID();
        await sleep('1 day');
        const fmt = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }).format(started);
        return [id, when, pick, key, fmt, counter, await charge(id)].join();
      }
    `;
    // Intl with an explicit locale is still reported: the scan cannot see the options' effect.
    expect((await rules(source)).filter((r) => !r.endsWith('host-locale'))).toEqual([]);
  });

  it('does not report local bindings, property names or feature tests that share a global name', async () => {
    const source = `
      const fetch = (u: string) => u;
      export async function w(process: { env: Record<string, string> }, opts: { setTimeout: number }) {
        const o = { setTimeout: 1, performance: 2 };
        o.setTimeout; opts.setTimeout;
        class C { setInterval() { return 1; } }
        if (typeof Buffer !== 'undefined') return 0;
        let t: typeof setTimeout | undefined;
        return fetch(process.env.x) + o.performance + new C().setInterval() + String(t);
      }
    `;
    expect(await rules(source)).toEqual([]);
  });

  it('reports a syntax error as parse-error', async () => {
    expect(await rules('export async function w( {')).toEqual([
      expect.stringMatching(/parse-error$/),
    ]);
  });
});

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function write(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

describe('checkWorkflows: only code reachable from the entry', () => {
  it('follows imports, skips unreachable and type-only files, downgrades dependencies to warnings', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-check-'));
    write(dir, {
      'workflows/index.ts': [
        "import { sleep } from 'aion/workflow';",
        "import type * as acts from './activities';",
        "import { later } from './helpers';",
        "import { pad } from 'leftish';",
        'export async function hello(name: string): Promise<string> {',
        "  await sleep('1s');",
        '  later();',
        '  return pad(name);',
        '}',
      ].join('\n'),
      'workflows/helpers.ts': 'export function later(): void {\n  setInterval(() => 0, 1);\n}\n',
      'workflows/unused.ts': "export const x = fetch('http://example.com');\n",
      'workflows/activities.ts':
        "import fs from 'node:fs';\nexport async function read(p: string) { return fs.readFileSync(p, 'utf8'); }\n",
      'workflows/node_modules/leftish/package.json': JSON.stringify({
        name: 'leftish',
        main: 'index.js',
      }),
      'workflows/node_modules/leftish/index.js':
        "exports.pad = function (s) { return typeof process === 'object' && process.env.PAD ? s : ' ' + s; };\n",
    });
    const result = await checkWorkflows({ workflowsPath: path.join(dir, 'workflows'), cwd: dir });
    expect(result.entry).toBe(path.join('workflows', 'index.ts'));
    expect([...result.files].sort()).toEqual(
      [
        path.join('workflows', 'helpers.ts'),
        path.join('workflows', 'index.ts'),
        path.join('workflows', 'node_modules', 'leftish', 'index.js'),
      ].sort(),
    );
    expect(result.findings).toEqual([
      expect.objectContaining({
        file: path.join('workflows', 'helpers.ts'),
        line: 2,
        rule: 'timer',
        severity: 'error',
        dependency: false,
      }),
      expect.objectContaining({
        file: path.join('workflows', 'node_modules', 'leftish', 'index.js'),
        rule: 'host-global',
        severity: 'warning',
        dependency: true,
      }),
    ]);
    expect(result.errors).toBe(1);
    expect(result.warnings).toBe(1);
  });

  it('reports a value import of a Node built-in even though it cannot be bundled, and scans the rest', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-check-'));
    write(dir, {
      'wf.ts':
        "import { readFileSync } from 'node:fs';\nimport { h } from './h';\nexport async function w() { return readFileSync('x') + h(); }\n",
      'h.ts': 'export const h = () => String(performance.now());\n',
    });
    const result = await checkWorkflows({ workflowsPath: path.join(dir, 'wf.ts'), cwd: dir });
    expect(result.findings.map((f) => `${f.file}:${f.line}:${f.rule}`)).toEqual([
      'h.ts:1:host-global',
      'wf.ts:1:node-builtin-import',
    ]);
  });

  it('reports an import that does not resolve', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-check-'));
    write(dir, {
      'wf.ts': "import { nope } from './missing';\nexport async function w() { return nope; }\n",
    });
    const result = await checkWorkflows({ workflowsPath: path.join(dir, 'wf.ts'), cwd: dir });
    expect(result.findings).toEqual([
      expect.objectContaining({
        rule: 'unresolved-import',
        severity: 'error',
        file: 'wf.ts',
        line: 1,
      }),
    ]);
    expect(result.findings[0]!.message).toContain('./missing');
  });

  it('passes the shipped examples', async () => {
    for (const example of ['hello-world', 'order-saga', 'approval', 'long-sleep']) {
      const result = await checkWorkflows({
        workflowsPath: new URL(`../../examples/${example}/workflows.ts`, import.meta.url).pathname,
      });
      expect(result.findings, example).toEqual([]);
    }
  });
});

import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type * as OxcParser from 'oxc-parser';
import { resolveWorkflowsPath } from './build.js';

/**
 * `aion check`: a static scan of workflow code for APIs that break determinism or are not
 * available in the workflow sandbox. Only code reachable from the workflow entry module is
 * scanned (esbuild resolves the import graph exactly as `aion build` would); each reachable
 * file is parsed as TypeScript/JavaScript and its global references are checked.
 *
 * The scan is a guide, not a proof: the sandbox enforces the rules at run time. Findings in
 * first-party files carry the rule's severity; findings in dependencies (node_modules) are
 * warnings, since a file being bundled does not mean the offending code is called.
 */

export type CheckSeverity = 'error' | 'warning';

export type CheckRule =
  | 'node-builtin-import'
  | 'host-import'
  | 'unresolved-import'
  | 'timer'
  | 'io'
  | 'host-global'
  | 'code-generation'
  | 'dynamic-import'
  | 'gc-observable'
  | 'shared-global-state'
  | 'global-realm-time'
  | 'host-locale'
  | 'parse-error';

export interface CheckFinding {
  readonly rule: CheckRule;
  readonly severity: CheckSeverity;
  /** Path relative to the checked directory's working directory (or absolute outside it). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly hint: string;
  /** True when the file is a dependency (under node_modules). */
  readonly dependency: boolean;
}

export interface CheckResult {
  readonly entry: string;
  /** Every source file reachable from the entry (relative paths), in scan order. */
  readonly files: readonly string[];
  readonly findings: readonly CheckFinding[];
  readonly errors: number;
  readonly warnings: number;
}

export interface CheckOptions {
  /** The workflow module, or a directory holding `index.ts`/`workflows.ts` (as for build). */
  readonly workflowsPath: string;
  /** Base for the relative file names in findings. Default: the current directory. */
  readonly cwd?: string;
}

const BUILTINS = new Set(builtinModules);
const HOST_ENTRIES = new Set([
  'aion',
  'aion/activity',
  'aion/client',
  'aion/worker',
  'aion/server',
  'aion/testing',
]);

interface GlobalRule {
  readonly rule: CheckRule;
  readonly severity: CheckSeverity;
  readonly message: string;
  readonly hint: string;
}

const TIMER_HINT = "use sleep() or condition() from 'aion/workflow' (durable timers)";
const IO_HINT = 'do I/O in an activity and call it with proxyActivities()';

function timer(name: string): GlobalRule {
  return {
    rule: 'timer',
    severity: 'error',
    message: `${name} is not available in workflow code (host timers are not durable and not replayed)`,
    hint: TIMER_HINT,
  };
}

/** Globals the workflow sandbox does not provide, refuses or makes non-deterministic. */
const GLOBALS: ReadonlyMap<string, GlobalRule> = new Map<string, GlobalRule>([
  ...[
    'setTimeout',
    'setInterval',
    'setImmediate',
    'clearTimeout',
    'clearInterval',
    'clearImmediate',
  ].map((n) => [n, timer(n)] as const),
  ...['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource'].map(
    (n) =>
      [
        n,
        {
          rule: 'io',
          severity: 'error',
          message: `${n} does network I/O, which workflow code must not do (its result is not recorded)`,
          hint: IO_HINT,
        },
      ] as const,
  ),
  ...['process', 'Buffer', '__dirname', '__filename', 'performance', 'navigator', 'document'].map(
    (n) =>
      [
        n,
        {
          rule: 'host-global',
          severity: 'error',
          message: `${n} is a host global that does not exist in the workflow sandbox${n === 'performance' ? ' (and its clock is not workflow time)' : ''}`,
          hint:
            n === 'performance'
              ? 'use Date.now() (workflow time) in workflow code'
              : 'read configuration in an activity, or pass it in the workflow input',
        },
      ] as const,
  ),
  ...['WeakRef', 'FinalizationRegistry', 'SharedArrayBuffer', 'Atomics'].map(
    (n) =>
      [
        n,
        {
          rule: 'gc-observable',
          severity: 'error',
          message: `${n} is removed from the workflow sandbox (garbage collection and shared memory are not deterministic)`,
          hint: 'use ordinary references; keep caches out of workflow code',
        },
      ] as const,
  ),
  [
    'eval',
    {
      rule: 'code-generation',
      severity: 'error',
      message: 'eval is disabled in the workflow sandbox (code generation from strings)',
      hint: 'bundle the code into the package instead of generating it',
    },
  ],
  [
    'Function',
    {
      rule: 'code-generation',
      severity: 'error',
      message: 'Function(...) compiles code from strings, which the workflow sandbox refuses',
      hint: 'bundle the code into the package instead of generating it',
    },
  ],
  [
    'queueMicrotask',
    {
      rule: 'timer',
      severity: 'error',
      message: 'queueMicrotask is not available in workflow code',
      hint: 'await a promise instead',
    },
  ],
]);

const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);
const LOCALE_METHODS = new Set([
  'toLocaleString',
  'toLocaleDateString',
  'toLocaleTimeString',
  'getTimezoneOffset',
]);

// Minimal ESTree shapes (oxc-parser produces ESTree with TypeScript extensions).
interface Node {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** TypeScript-only wrappers whose `expression` is a value; every other TS* node is a type. */
const TS_VALUE_WRAPPERS = new Set([
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSNonNullExpression',
  'TSTypeAssertion',
  'TSInstantiationExpression',
]);

/** Names bound by a binding pattern. */
function patternNames(node: unknown, out: Set<string>): void {
  if (!isNode(node)) return;
  switch (node.type) {
    case 'Identifier':
      out.add(node.name as string);
      break;
    case 'ObjectPattern':
      for (const p of node.properties as Node[]) {
        patternNames(p.type === 'RestElement' ? p.argument : p.value, out);
      }
      break;
    case 'ArrayPattern':
      for (const e of node.elements as (Node | null)[]) patternNames(e, out);
      break;
    case 'AssignmentPattern':
      patternNames(node.left, out);
      break;
    case 'RestElement':
      patternNames(node.argument, out);
      break;
    case 'TSParameterProperty':
      patternNames(node.parameter, out);
      break;
  }
}

/** Every name the file declares anywhere (a local binding shadows the global of that name). */
function declaredNames(program: Node): Set<string> {
  const out = new Set<string>();
  const visit = (node: Node): void => {
    switch (node.type) {
      case 'VariableDeclarator':
        patternNames(node.id, out);
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (isNode(node.id)) out.add(node.id.name as string);
        for (const p of node.params as Node[]) patternNames(p, out);
        break;
      case 'ClassDeclaration':
      case 'ClassExpression':
        if (isNode(node.id)) out.add(node.id.name as string);
        break;
      case 'ImportSpecifier':
      case 'ImportDefaultSpecifier':
      case 'ImportNamespaceSpecifier':
        patternNames(node.local, out);
        break;
      case 'CatchClause':
        patternNames(node.param, out);
        break;
    }
    forEachChild(node, visit);
  };
  visit(program);
  return out;
}

function forEachChild(node: Node, visit: (child: Node, key: string, parent: Node) => void): void {
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) visit(item, key, node);
    } else if (isNode(value)) {
      visit(value, key, node);
    }
  }
}

/** Is this Identifier, as `key` of `parent`, a reference to a variable (not a key or binding)? */
function isReference(parent: Node, key: string): boolean {
  switch (parent.type) {
    case 'MemberExpression':
      return key === 'object' || parent.computed === true;
    case 'Property':
      return key === 'value' || parent.computed === true;
    case 'MethodDefinition':
    case 'PropertyDefinition':
    case 'AccessorProperty':
      return key !== 'key' || parent.computed === true;
    case 'VariableDeclarator':
      return key === 'init';
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return key === 'body';
    case 'ClassDeclaration':
    case 'ClassExpression':
      return key === 'superClass';
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false;
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ExportSpecifier':
      return false;
    case 'CatchClause':
      return key === 'body';
    default:
      return true;
  }
}

/** `globalThis.X` / `window.X` / … → X; otherwise undefined. */
function globalMember(node: Node): string | undefined {
  if (node.type !== 'MemberExpression' || node.computed === true) return undefined;
  const object = unwrap(node.object as Node);
  const property = node.property as Node;
  if (object.type === 'Identifier' && GLOBAL_OBJECTS.has(object.name as string)) {
    return property.name as string;
  }
  return undefined;
}

/** `(x as T)`, `x!`, `(x)` → x. */
function unwrap(node: Node): Node {
  let n = node;
  while (TS_VALUE_WRAPPERS.has(n.type) || n.type === 'ParenthesizedExpression') {
    n = n.expression as Node;
  }
  return n;
}

function globalObjectName(node: Node): string {
  return unwrap(node.object as Node).name as string;
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function position(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

function importRule(spec: string): GlobalRule | undefined {
  const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
  if (spec.startsWith('node:') || BUILTINS.has(bare) || BUILTINS.has(bare.split('/')[0]!)) {
    return {
      rule: 'node-builtin-import',
      severity: 'error',
      message: `imports ${JSON.stringify(spec)}: Node built-in modules are not available in workflows, which must be deterministic`,
      hint: 'move this code into an activity',
    };
  }
  if (HOST_ENTRIES.has(spec) || spec.startsWith('aion/store/')) {
    return {
      rule: 'host-import',
      severity: 'error',
      message: `imports ${JSON.stringify(spec)}: only 'aion/workflow' may be imported by workflow code`,
      hint: "use 'import type' for activity types and call activities through proxyActivities()",
    };
  }
  return undefined;
}

/** Source text a module specifier literal holds, if it is a string literal. */
function literalString(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (
    node.type === 'TemplateLiteral' &&
    (node.expressions as unknown[]).length === 0 &&
    (node.quasis as Node[]).length === 1
  ) {
    return ((node.quasis as Node[])[0]!.value as { cooked: string }).cooked;
  }
  return undefined;
}

let parser: typeof OxcParser | undefined;

/** Scans one file's source; returns its findings (severity not yet adjusted for dependencies). */
export async function scanSource(
  fileName: string,
  source: string,
): Promise<Omit<CheckFinding, 'dependency'>[]> {
  // Loaded on first use: the parser is a native module only `aion check` needs.
  parser ??= await import('oxc-parser');
  const parsed = parser.parseSync(fileName, source);
  const starts = lineStarts(source);
  const findings: Omit<CheckFinding, 'dependency'>[] = [];
  const add = (rule: GlobalRule, at: number, message = rule.message): void => {
    findings.push({
      rule: rule.rule,
      severity: rule.severity,
      file: fileName,
      ...position(starts, at),
      message,
      hint: rule.hint,
    });
  };
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0]!;
    const at = first.labels[0]?.start ?? 0;
    add(
      {
        rule: 'parse-error',
        severity: 'error',
        message: `cannot parse: ${first.message}`,
        hint: 'fix the syntax error (aion build would fail too)',
      },
      at,
    );
    return findings;
  }
  const program = parsed.program as unknown as Node;
  const declared = declaredNames(program);
  const isGlobal = (name: string): boolean => !declared.has(name);

  const visit = (node: Node, key: string, parent: Node | undefined): void => {
    if (node.type.startsWith('TS') && !TS_VALUE_WRAPPERS.has(node.type)) {
      // Types vanish at build time; enums and namespaces carry values, keep walking those.
      if (node.type !== 'TSEnumDeclaration' && node.type !== 'TSModuleDeclaration') return;
    }
    switch (node.type) {
      case 'ImportDeclaration': {
        if (node.importKind === 'type') return;
        const specifiers = node.specifiers as Node[];
        const allTypes =
          specifiers.length > 0 &&
          specifiers.every((s) => s.type === 'ImportSpecifier' && s.importKind === 'type');
        const rule = allTypes ? undefined : importRule(literalString(node.source) ?? '');
        if (rule) add(rule, (node.source as Node).start);
        return;
      }
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration': {
        if (node.exportKind !== 'type' && isNode(node.source)) {
          const rule = importRule(literalString(node.source) ?? '');
          if (rule) add(rule, node.source.start);
        }
        break;
      }
      case 'ImportExpression': {
        const spec = literalString(node.source);
        if (spec === undefined) {
          add(
            {
              rule: 'dynamic-import',
              severity: 'error',
              message:
                'import() with a computed specifier cannot be bundled; workflow code cannot load modules at run time',
              hint: 'import the module statically so it is bundled into the package',
            },
            node.start,
          );
        } else {
          const rule = importRule(spec);
          if (rule) add(rule, node.start);
        }
        break;
      }
      case 'CallExpression': {
        const callee = node.callee as Node;
        if (callee.type === 'Identifier' && callee.name === 'require' && isGlobal('require')) {
          const args = node.arguments as Node[];
          const spec = literalString(args[0]);
          if (spec === undefined) {
            add(
              {
                rule: 'dynamic-import',
                severity: 'error',
                message:
                  'require() with a computed specifier cannot be bundled; workflow code cannot load modules at run time',
                hint: 'import the module statically so it is bundled into the package',
              },
              node.start,
            );
          } else {
            const rule = importRule(spec);
            if (rule) add(rule, node.start);
          }
        }
        if (callee.type === 'MemberExpression' && callee.computed !== true) {
          const method = (callee.property as Node).name as string;
          if (LOCALE_METHODS.has(method)) {
            add(
              {
                rule: 'host-locale',
                severity: 'warning',
                message: `${method}() depends on the host's locale and time zone; replaying on another host can diverge`,
                hint: "format with explicit options (e.g. toISOString(), or Intl with a fixed locale and timeZone: 'UTC')",
              },
              (callee.property as Node).start,
            );
          }
        }
        break;
      }
      case 'AssignmentExpression': {
        const target = node.left as Node;
        const name = globalMember(target);
        if (name !== undefined) {
          add(
            {
              rule: 'shared-global-state',
              severity: 'warning',
              message: `assigning ${globalObjectName(target)}.${name}: the global object is shared by every run of the package`,
              hint: 'keep state in module or function scope (it is per run), or in the workflow input',
            },
            target.start,
          );
        }
        break;
      }
      case 'MemberExpression': {
        const name = globalMember(node);
        if (name !== undefined) {
          const rule = GLOBALS.get(name);
          if (rule) {
            add(rule, node.start);
          } else if (
            (name === 'Date' || name === 'Math') &&
            parent?.type === 'MemberExpression' &&
            key === 'object'
          ) {
            add(
              {
                rule: 'global-realm-time',
                severity: 'error',
                message: `${globalObjectName(node)}.${name} is the realm's ${name}, not the run's deterministic one`,
                hint: `use ${name} directly (Date.now() is workflow time; Math.random() is seeded per run)`,
              },
              node.start,
            );
          }
          return;
        }
        const object = node.object as Node;
        if (
          object.type === 'Identifier' &&
          object.name === 'crypto' &&
          isGlobal('crypto') &&
          node.computed !== true &&
          (node.property as Node).name === 'subtle'
        ) {
          add(
            {
              rule: 'host-global',
              severity: 'error',
              message:
                'crypto.subtle is not available in workflow code (only crypto.randomUUID and crypto.getRandomValues, seeded per run)',
              hint: 'hash or encrypt in an activity',
            },
            node.start,
          );
        }
        break;
      }
      case 'NewExpression': {
        const callee = node.callee as Node;
        if (
          callee.type === 'MemberExpression' &&
          (callee.object as Node).type === 'Identifier' &&
          (callee.object as Node).name === 'Intl' &&
          isGlobal('Intl')
        ) {
          add(
            {
              rule: 'host-locale',
              severity: 'warning',
              message:
                "Intl formatters default to the host's locale and time zone; replaying on another host can diverge",
              hint: "pass an explicit locale and timeZone (e.g. new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }))",
            },
            node.start,
          );
        }
        break;
      }
      case 'UnaryExpression':
        // `typeof process !== 'undefined'` is the standard feature test: not a use.
        if (node.operator === 'typeof' && (node.argument as Node).type === 'Identifier') return;
        break;
      case 'Identifier': {
        const name = node.name as string;
        if (parent && isReference(parent, key) && isGlobal(name)) {
          const rule = GLOBALS.get(name);
          if (rule) add(rule, node.start);
        }
        return;
      }
    }
    forEachChild(node, (child, childKey, p) => {
      const wrapper = p.type.startsWith('TS') && TS_VALUE_WRAPPERS.has(p.type);
      if (wrapper && childKey !== 'expression') return;
      visit(child, childKey, p);
    });
  };
  visit(program, '', undefined);
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return findings;
}

const SOURCE_EXT = /\.(?:[cm]?[jt]sx?)$/;

/** Resolves the import graph from the workflow entry, as `aion build` does, without failing on forbidden imports. */
async function reachableFiles(
  entryFile: string,
): Promise<{ files: string[]; unresolved: { importer: string; spec: string; text: string }[] }> {
  const unresolved: { importer: string; spec: string; text: string }[] = [];
  const plugin: esbuild.Plugin = {
    name: 'aion-check',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const spec = args.path;
        if (spec === 'aion/workflow' || importRule(spec)) return { path: spec, external: true };
        return undefined;
      });
    },
  };
  try {
    const result = await esbuild.build({
      entryPoints: [entryFile],
      absWorkingDir: path.dirname(entryFile),
      bundle: true,
      write: false,
      metafile: true,
      format: 'cjs',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['workflow', 'import', 'default'],
      logLevel: 'silent',
      plugins: [plugin],
    });
    const base = path.dirname(entryFile);
    return {
      files: Object.keys(result.metafile.inputs)
        .filter((f) => SOURCE_EXT.test(f))
        .map((f) => path.resolve(base, f)),
      unresolved,
    };
  } catch (err) {
    // Unresolvable imports or syntax errors: report them and scan the entry alone.
    for (const m of (err as { errors?: esbuild.Message[] }).errors ?? []) {
      unresolved.push({
        importer: m.location?.file ? path.resolve(path.dirname(entryFile), m.location.file) : '',
        spec: m.location?.lineText ?? '',
        text: m.location ? `${m.text} (line ${m.location.line})` : m.text,
      });
    }
    return { files: [entryFile], unresolved };
  }
}

/** Statically checks the workflow code reachable from a workflow entry module. */
export async function checkWorkflows(options: CheckOptions): Promise<CheckResult> {
  const cwd = options.cwd ?? process.cwd();
  const entryFile = resolveWorkflowsPath(options.workflowsPath);
  const { files, unresolved } = await reachableFiles(entryFile);
  const rel = (f: string): string => {
    const r = path.relative(cwd, f);
    return r.startsWith('..') || path.isAbsolute(r) ? f : r;
  };
  const findings: CheckFinding[] = [];
  for (const u of unresolved) {
    findings.push({
      rule: 'unresolved-import',
      severity: 'error',
      file: rel(u.importer || entryFile),
      line: Number(/\(line (\d+)\)$/.exec(u.text)?.[1] ?? 1),
      column: 1,
      message: u.text.replace(/ \(line \d+\)$/, ''),
      hint: 'install the dependency or fix the import path (aion build would fail too)',
      dependency: false,
    });
  }
  for (const file of files) {
    const dependency = file.split(path.sep).includes('node_modules');
    const source = await readFile(file, 'utf8');
    for (const f of await scanSource(file, source)) {
      findings.push({
        ...f,
        file: rel(file),
        severity: dependency ? 'warning' : f.severity,
        dependency,
      });
    }
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    entry: rel(entryFile),
    files: files.map(rel),
    findings,
    errors,
    warnings: findings.length - errors,
  };
}

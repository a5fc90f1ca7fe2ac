// The rule catalogue of `aion check`: globals the workflow sandbox lacks, refuses or makes
// non-deterministic, forbidden imports, and the text of every other finding.
import { builtinModules } from 'node:module';
import type { RuleFinding } from './types.js';
// The parent folder's index re-exports this folder, so its modules are imported by path.
import { nodeShimPath } from '../node-shims/index.js';

const BUILTINS = new Set(builtinModules);
const HOST_ENTRIES = new Set([
  'aion',
  'aion/activity',
  'aion/client',
  'aion/worker',
  'aion/server',
  'aion/testing',
]);

const TIMER_HINT = "use sleep() or condition() from 'aion/workflow' (durable timers)";
const IO_HINT = 'do I/O in an activity and call it with proxyActivities()';

function timer(name: string): RuleFinding {
  return {
    rule: 'timer',
    severity: 'error',
    message: `${name} is not available in workflow code (host timers are not durable and not replayed)`,
    hint: TIMER_HINT,
  };
}

/** Globals the workflow sandbox does not provide, refuses or makes non-deterministic. */
export const GLOBALS: ReadonlyMap<string, RuleFinding> = new Map<string, RuleFinding>([
  // setTimeout/clearTimeout are durable timers in the sandbox; repeating and immediate ones are not.
  ...['setInterval', 'setImmediate', 'clearInterval', 'clearImmediate'].map(
    (n) => [n, timer(n)] as const,
  ),
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
          message: `${n} ${n === 'WeakRef' || n === 'FinalizationRegistry' ? 'throws DeterminismViolationError in' : 'is removed from'} the workflow sandbox (garbage collection and shared memory are not deterministic)`,
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

export const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);
export const LOCALE_METHODS = new Set([
  'toLocaleString',
  'toLocaleDateString',
  'toLocaleTimeString',
  'getTimezoneOffset',
]);

/** The finding of importing `spec` from workflow code, or undefined when it may be bundled. */
export function importRule(spec: string): RuleFinding | undefined {
  // assert, url and util resolve to deterministic shims (names they lack: unknown-import).
  if (nodeShimPath(spec) !== undefined) return undefined;
  const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
  if (spec.startsWith('node:') || BUILTINS.has(bare) || BUILTINS.has(bare.split('/')[0]!)) {
    return {
      rule: 'node-builtin-import',
      severity: 'error',
      message: `imports ${JSON.stringify(spec)}: Node built-in modules are not available in workflows, which must be deterministic (only assert, url and util, as deterministic subsets)`,
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

export function parseErrorRule(message: string): RuleFinding {
  return {
    rule: 'parse-error',
    severity: 'error',
    message: `cannot parse: ${message}`,
    hint: 'fix the syntax error (aion build would fail too)',
  };
}

/** `import(x)` or `require(x)` with a specifier that is not a literal. */
export function dynamicImportRule(call: 'import()' | 'require()'): RuleFinding {
  return {
    rule: 'dynamic-import',
    severity: 'error',
    message: `${call} with a computed specifier cannot be bundled; workflow code cannot load modules at run time`,
    hint: 'import the module statically so it is bundled into the package',
  };
}

export function localeMethodRule(method: string): RuleFinding {
  return {
    rule: 'host-locale',
    severity: 'warning',
    message: `${method}() depends on the host's locale and time zone; replaying on another host can diverge`,
    hint: "format with explicit options (e.g. toISOString(), or Intl with a fixed locale and timeZone: 'UTC')",
  };
}

export const INTL_FORMATTER_RULE: RuleFinding = {
  rule: 'host-locale',
  severity: 'warning',
  message:
    "Intl formatters default to the host's locale and time zone; replaying on another host can diverge",
  hint: "pass an explicit locale and timeZone (e.g. new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }))",
};

/** Assigning `globalThis.x` (or `window.x`, …): `target` is the written member, e.g. `globalThis.x`. */
export function sharedGlobalStateRule(target: string): RuleFinding {
  return {
    rule: 'shared-global-state',
    severity: 'warning',
    message: `assigning ${target}: the global object is shared by every run of the package`,
    hint: 'keep state in module or function scope (it is per run), or in the workflow input',
  };
}

/** `globalThis.Date.now()` or `globalThis.Math.random()`: the realm's, not the run's. */
export function globalRealmTimeRule(objectName: string, name: string): RuleFinding {
  return {
    rule: 'global-realm-time',
    severity: 'error',
    message: `${objectName}.${name} is the realm's ${name}, not the run's deterministic one`,
    hint: `use ${name} directly (Date.now() is workflow time; Math.random() is seeded per run)`,
  };
}

export const CRYPTO_SUBTLE_RULE: RuleFinding = {
  rule: 'host-global',
  severity: 'error',
  message:
    'crypto.subtle is not available in workflow code (only crypto.randomUUID and crypto.getRandomValues, seeded per run)',
  hint: 'hash or encrypt in an activity',
};

export function unresolvedImportRule(message: string): RuleFinding {
  return {
    rule: 'unresolved-import',
    severity: 'error',
    message,
    hint: 'install the dependency or fix the import path (aion build would fail too)',
  };
}

/** A name imported from `aion/workflow` (or a Node built-in shim) that it does not export. */
export function unknownImportRule(message: string): RuleFinding {
  return {
    rule: 'unknown-import',
    severity: 'error',
    message,
    hint: 'check the name against the aion/workflow API reference (aion build fails too, so runs never see it)',
  };
}

/** An exported workflow function declared without `async`. */
export function nonAsyncWorkflowRule(name: string): RuleFinding {
  return {
    rule: 'non-async-workflow',
    severity: 'warning',
    message: `exported function ${name} is not async; every exported function of the workflow module is a workflow type`,
    hint: 'declare workflows async (a function returning a Promise still works); move helpers out of the workflow module or stop exporting them',
  };
}

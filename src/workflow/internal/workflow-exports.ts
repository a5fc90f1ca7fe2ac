// A run's instance of the workflow module, as the runtime keeps it: the module's exports read
// once into a map when the run is instantiated (the bundle's export objects, with a getter per
// export, are then no longer held for each run), and the export name of a workflow function
// worked out only when a run asks for it (a child started by passing the function).
import type { RunState } from './run-state.js';

/** Export names of the workflow module that are not workflow types. */
export const RESERVED_EXPORTS: ReadonlySet<string> = new Set([
  'interceptors',
  'workflowDefaults',
  'payloadConverter',
]);

/** The module's exports, read once (own enumerable properties, as `Object.entries` sees them). */
export function readExports(module: Record<string, unknown>): ReadonlyMap<string, unknown> {
  const exports = new Map<string, unknown>();
  for (const name of Object.keys(module)) exports.set(name, module[name]);
  return exports;
}

/** The exported workflow functions, by export name (reserved exports left out). */
export function* workflowFunctions(
  exports: ReadonlyMap<string, unknown>,
): Generator<[name: string, fn: unknown]> {
  for (const [name, value] of exports) {
    if (typeof value === 'function' && !RESERVED_EXPORTS.has(name)) yield [name, value];
  }
}

/** The workflow type of an exported workflow function (its export name, whatever `fn.name` says). */
export function workflowNameOf(s: RunState, fn: unknown): string | undefined {
  if (s.workflowNames === undefined) {
    const names = new Map<unknown, string>();
    for (const [name, fn] of workflowFunctions(s.workflows))
      if (!names.has(fn)) names.set(fn, name);
    s.workflowNames = names;
  }
  return s.workflowNames.get(fn);
}

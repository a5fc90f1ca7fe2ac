// A run's instance of the workflow module, as the runtime keeps it: the module's exports read
// once when the run is instantiated — their names shared by the runs of the package, the run's
// own values in an array (a map per run cost a hash table sized for all the exports) — and
// the export name of a workflow function worked out only when a run asks for it (a child
// started by passing the function).
import type { ModuleExports, RunState } from './run-state.js';

/** Export names of the workflow module that are not workflow types. */
export const RESERVED_EXPORTS: ReadonlySet<string> = new Set([
  'interceptors',
  'workflowDefaults',
  'payloadConverter',
]);

class RunExports implements ModuleExports {
  readonly #names: readonly string[];
  readonly #values: readonly unknown[];

  constructor(names: readonly string[], values: readonly unknown[]) {
    this.#names = names;
    this.#values = values;
  }

  get(name: string): unknown {
    const i = this.#names.indexOf(name);
    return i < 0 ? undefined : this.#values[i];
  }

  *[Symbol.iterator](): Generator<[string, unknown]> {
    for (let i = 0; i < this.#names.length; i++) yield [this.#names[i]!, this.#values[i]];
  }
}

export const NO_EXPORTS: ModuleExports = new RunExports([], []);

/** The export names of the last module read: every run of a package has the same ones. */
let sharedNames: readonly string[] = [];

/** The module's exports, read once (own enumerable properties, as `Object.entries` sees them). */
export function readExports(module: Record<string, unknown>): ModuleExports {
  const names = Object.keys(module);
  if (!sameNames(names, sharedNames)) sharedNames = names;
  const values = new Array<unknown>(names.length);
  for (let i = 0; i < names.length; i++) values[i] = module[names[i]!];
  return new RunExports(sharedNames, values);
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The exported workflow functions, by export name (reserved exports left out). */
export function* workflowFunctions(exports: ModuleExports): Generator<[name: string, fn: unknown]> {
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

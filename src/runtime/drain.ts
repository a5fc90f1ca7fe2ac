// Runs a context's microtasks (its `microtaskMode: 'afterEvaluate'` queue) after workflow code
// was entered directly: the evaluation of an empty script, once per activation.
import vm from 'node:vm';

/** Evaluates nothing: the context's microtasks run after it. */
const DRAIN = new vm.Script('undefined', { filename: 'aion:drain' });

/**
 * The Node.js majors whose `vm.Script` evaluates through its base class's
 * `runInContext(context, timeout, displayErrors, breakOnSigint, breakOnFirstLine)` (checked
 * in their `lib/vm.js`): `Script.prototype.runInContext` only validates its options and
 * builds those five arguments, which costs about a fifth of an empty evaluation — ~0.1 µs
 * per activation, ~5% of a replay. Other majors take the public method.
 */
const DIRECT_MAJORS: ReadonlySet<string> = new Set(['20', '22', '24']);

type Evaluate = (
  this: vm.Script,
  context: vm.Context,
  timeout: number,
  displayErrors: boolean,
  breakOnSigint: boolean,
  breakOnFirstLine: boolean,
) => unknown;

/** The base class's evaluation, where this Node.js major is known to have it. */
function directEvaluate(): Evaluate | undefined {
  const major = process.versions.node.split('.')[0] ?? '';
  if (!DIRECT_MAJORS.has(major)) return undefined;
  const base = Object.getPrototypeOf(vm.Script.prototype) as { runInContext?: unknown } | null;
  const evaluate = base?.runInContext;
  if (typeof evaluate !== 'function' || evaluate === vm.Script.prototype.runInContext)
    return undefined;
  return evaluate as Evaluate;
}

/** Checks that `evaluate` runs a script and drains the context's microtasks after it. */
function drains(evaluate: Evaluate): boolean {
  try {
    const context = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
    const probe = new vm.Script('globalThis.n = 0; Promise.resolve().then(() => { n = 2; }); 1');
    const value = evaluate.call(probe, context, -1, true, false, false);
    return value === 1 && (context as { n?: number }).n === 2;
  } catch {
    return false;
  }
}

type Drain = (context: vm.Context) => void;

// Chosen on first use: the probe makes a context, which a process that never runs a sandbox
// (the engine's own thread, the CLI) has no need to pay for when it loads this module.
let direct: Evaluate | undefined;
let drain: Drain | undefined;

function choose(): Drain {
  const evaluate = directEvaluate();
  direct = evaluate !== undefined && drains(evaluate) ? evaluate : undefined;
  const chosen = direct;
  return chosen !== undefined
    ? (context) => void chosen.call(DRAIN, context, -1, true, false, false)
    : (context) => void DRAIN.runInContext(context);
}

/** Drains `context`'s microtask queue (see {@link DIRECT_MAJORS} for how). */
export function drainMicrotasks(context: vm.Context): void {
  (drain ??= choose())(context);
}

/** Whether {@link drainMicrotasks} skips the public method's option handling (for tests). */
export function drainsDirectly(): boolean {
  drain ??= choose();
  return direct !== undefined;
}

import { REALM_BRIDGE_SOURCE } from './realm-bridge.js';
import { REALM_ABORT_SOURCE } from './realm-abort.js';
import { REALM_LOCKDOWN_SOURCE } from './realm-lockdown.js';

/** What the bootstrap function returns to the host (functions of the sandbox realm). */
export interface RealmControl {
  /** Hands the next hook call its operation; host data is copied into the realm here. */
  readonly setOp: (op: Record<string, unknown> | undefined) => void;
  /**
   * Runs the synchronous part of an activation at once, as the activate hook would (without
   * an operation record in between): its microtasks wait in the context's queue for its next
   * evaluation.
   */
  readonly activate: (activator: unknown, input: unknown) => void;
  /** After the bundle's runtime section: fixes the `__aion*` hooks, records the built-ins. */
  readonly lock: () => void;
  /**
   * After the first module evaluation: the first built-in it changed (then the package is
   * refused), or undefined once the built-ins are frozen.
   */
  readonly settle: () => string | undefined;
}

/**
 * Source of the function evaluated once in every package context, called with the context's
 * global and the host capabilities (realm-bridge.ts). It runs inside the sandbox realm, so
 * everything it creates (per-run Date, Math, console, crypto, the TextEncoder/URL/
 * AsyncLocalStorage wrappers) belongs to that realm; host objects stay in its closure. Globals
 * that could break determinism are removed or replaced by functions that throw a
 * `WorkflowSandboxViolation` with a hint.
 */
export const BOOTSTRAP_SOURCE = String.raw`
(function (g, host) {
  'use strict';
  ${REALM_BRIDGE_SOURCE}
  ${REALM_LOCKDOWN_SOURCE}
  ${REALM_ABORT_SOURCE}
  class WorkflowSandboxViolation extends Error {
    constructor(message) { super(message); this.name = 'WorkflowSandboxViolation'; }
  }
  let runtime;
  // A violation is reported to the runtime before it is thrown: it fails the activation even
  // if workflow code catches it (runtimes of older packages have no reporter).
  const violate = (message) => {
    const err = new WorkflowSandboxViolation(message);
    if (runtime !== undefined && typeof runtime.reportViolation === 'function') runtime.reportViolation(err);
    throw err;
  };
  const forbid = (name, hint) => function () {
    violate(name + ' is not available in workflow code: ' + hint);
  };
  const timerHint = "use sleep() or condition() from 'aion/workflow' (durable timers)";
  for (const name of ['setInterval', 'setImmediate', 'clearInterval', 'clearImmediate']) {
    g[name] = forbid(name, timerHint);
  }
  // Durable timers (the runtime's), or refused with a runtime that predates them.
  const durable = (name) => function (...args) {
    const impl = runtime === undefined ? undefined : runtime[name];
    if (typeof impl !== 'function') violate(name + ' is not available in workflow code: ' + timerHint);
    return apply(impl, undefined, args);
  };
  g.setTimeout = durable('setTimeout');
  g.clearTimeout = durable('clearTimeout');
  installAbort();
  g.fetch = forbid('fetch', 'do I/O in an activity');
  g.queueMicrotask = forbid('queueMicrotask', 'await a promise instead');
  // As in Temporal: constructing a GC-observable reference throws a catchable error naming
  // why (it does not fail the activation); shared memory is removed outright.
  class DeterminismViolationError extends Error {
    constructor(message) { super(message); this.name = 'DeterminismViolationError'; }
  }
  for (const name of ['WeakRef', 'FinalizationRegistry']) {
    g[name] = function () {
      throw new DeterminismViolationError(name + ' cannot be used in Workflows because v8 GC is non-deterministic');
    };
  }
  for (const name of ['SharedArrayBuffer', 'Atomics']) delete g[name];
  installBridge();

  const BaseDate = g.Date;
  const BaseMath = g.Math;
  const reflectConstruct = Reflect.construct;
  const mathFloor = Math.floor;
  // Globals reached explicitly through globalThis are not per-run: refuse them clearly.
  BaseDate.now = forbid('globalThis.Date.now', 'call Date.now() directly (it returns workflow time)');
  BaseMath.random = forbid('globalThis.Math.random', "call Math.random() directly or random() from 'aion/workflow'");

  const data = (value) => ({ __proto__: null, value, writable: true, enumerable: true, configurable: true });
  // A run's console: its methods made on first use (a console of six closures per run was most
  // of the per-run globals, and few runs log). The prototype is shared by every run and frozen;
  // the run's cell is a private field, out of workflow code's reach.
  const objectKeysOf = Object.keys;
  const freezeObject = Object.freeze;
  const CONSOLE_LEVELS = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug', trace: 'debug' };
  let cellOf;
  class WorkflowConsole {
    #cell;
    constructor(cell) { this.#cell = cell; }
    static { cellOf = (self) => self.#cell; }
  }
  for (const name of objectKeysOf(CONSOLE_LEVELS)) {
    const level = CONSOLE_LEVELS[name];
    defineProperty(WorkflowConsole.prototype, name, {
      __proto__: null,
      get() {
        const cell = cellOf(this);
        const fn = (...args) => cell.log(level, args);
        defineProperty(this, name, data(fn));
        return fn;
      },
      set(value) { defineProperty(this, name, data(value)); },
      enumerable: true,
      configurable: false,
    });
  }
  freezeObject(WorkflowConsole.prototype);
  freezeObject(WorkflowConsole);
  freezeObject(CONSOLE_LEVELS);
  // Each run's Date, Math, console and crypto, made with plain assignments and literals: a
  // property defined with attributes (prototype, now) put each run's Date in dictionary mode.
  const makeGlobals = (cell) => {
    function WorkflowDate(...args) {
      if (!new.target) return new BaseDate(cell.now()).toString();
      return args.length === 0 ? reflectConstruct(BaseDate, [cell.now()], new.target) : reflectConstruct(BaseDate, args, new.target);
    }
    WorkflowDate.prototype = BaseDate.prototype;
    WorkflowDate.now = () => cell.now();
    WorkflowDate.parse = BaseDate.parse;
    WorkflowDate.UTC = BaseDate.UTC;
    const WorkflowMath = { __proto__: BaseMath, random: () => cell.random() };
    const workflowCrypto = {
      randomUUID: () => cell.uuid(),
      getRandomValues: (array) => {
        const bytes = new LocalUint8Array(array.buffer, array.byteOffset, array.byteLength);
        for (let i = 0; i < bytes.length; i++) bytes[i] = mathFloor(cell.random() * 256);
        return array;
      },
    };
    return [WorkflowDate, WorkflowMath, new WorkflowConsole(cell), workflowCrypto];
  };

  // Host data (init info, activation input, query arguments: JSON-like) copied into the realm.
  const objectKeys = Object.keys;
  const LocalArray = Array;
  const copyIn = (v, depth) => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function') throw new WorkflowSandboxViolation('a host function cannot enter the sandbox');
      return v;
    }
    if (depth > 100) throw new WorkflowSandboxViolation('host data nested too deeply');
    if (isArray(v)) {
      const n = v.length;
      const out = new LocalArray(n);
      for (let i = 0; i < n; i++) out[i] = copyIn(v[i], depth + 1);
      return out;
    }
    const out = {};
    // Own enumerable keys, as Object.keys lists them, without allocating the list (for-in
    // reads the object's enumeration cache; the own-key test drops inherited ones).
    for (const key in v) {
      if (!hasOwn(v, key)) continue;
      // Plain assignment keeps the copies fast objects; only __proto__ would mean something else.
      if (key === '__proto__') defineProperty(out, key, data(copyIn(v[key], depth + 1)));
      else out[key] = copyIn(v[key], depth + 1);
    }
    return out;
  };

  // An activation input, the copy of every activation: its fields by name (a fresh object
  // filled with fixed names keeps one shape; the job list and patches are copied as above).
  // Fields that are usually primitives skip the call (copyIn returns a primitive as is).
  const copyField = (x) => (x === null || (typeof x !== 'object' && typeof x !== 'function') ? x : copyIn(x, 1));
  const copyInput = (v) => {
    if (v === null || typeof v !== 'object' || isArray(v)) return copyIn(v, 0);
    const out = {
      now: copyField(v.now),
      replaying: copyField(v.replaying),
      jobs: copyIn(v.jobs, 1),
      historyLength: copyField(v.historyLength),
      continueAsNewSuggested: copyField(v.continueAsNewSuggested),
    };
    if (v.patches !== undefined) out.patches = copyIn(v.patches, 1);
    if (v.captureStacks !== undefined) out.captureStacks = copyField(v.captureStacks);
    if (v.captureConditionStacks !== undefined) out.captureConditionStacks = copyField(v.captureConditionStacks);
    return out;
  };

  const activators = new WeakSet();
  const weakHas = WeakSet.prototype.has;
  const weakAdd = WeakSet.prototype.add;
  let pending;
  const take = () => {
    const op = pending;
    pending = undefined;
    if (op === undefined) throw new WorkflowSandboxViolation('the Aion runtime hooks are not callable from workflow code');
    return op;
  };
  const checkActivator = (activator) => {
    if (!apply(weakHas, activators, [activator])) throw new WorkflowSandboxViolation('unknown activator');
  };
  const setOp = (op) => {
    if (op === undefined) { pending = undefined; return; }
    const activator = op.activator;
    if (activator !== undefined) checkActivator(activator);
    pending = {
      activator,
      init: copyIn(op.init, 0),
      input: op.input === undefined ? undefined : copyInput(op.input),
      protocolVersion: copyIn(op.protocolVersion, 0),
      name: copyIn(op.name, 0),
      args: copyIn(op.args, 0),
      validate: op.validate === true,
    };
  };

  // The host's view of each log line as it is written (only primitives cross), when it has one.
  const hostLogTap = typeof host.logTap === 'function' ? host.logTap : undefined;
  const logTap = hostLogTap === undefined ? undefined
    : (level, message, at) => hostCall(hostLogTap, undefined, ['' + level, '' + message, +at]);

  const noRandom = () => 0;
  const noUuid = () => '';
  const noLog = () => undefined;
  let userFactory;
  let settled = false;
  const frozenHint = /read.only|not extensible|Cannot (add|assign|define|redefine|delete)|frozen in workflow code/;
  const explain = (err) => {
    if (!settled || !(err instanceof LocalTypeError) || !frozenHint.test(err.message)) return err;
    const out = new WorkflowSandboxViolation('module-level code failed: ' + err.message + ' (built-in objects are frozen in workflow code: they are shared by every run of the package)');
    defineProperty(out, 'cause', data(err));
    return out;
  };

  const hooks = {
    __aionInstantiate() {
      const op = take();
      if (runtime.ACTIVATION_PROTOCOL_VERSION !== op.protocolVersion) {
        throw new WorkflowSandboxViolation('package runtime speaks activation protocol ' + runtime.ACTIVATION_PROTOCOL_VERSION + ' but this engine speaks ' + op.protocolVersion + '; rebuild the package with this Aion');
      }
      // The runtime replaces the cell's functions with the run's own (newRunState).
      const cell = { now: () => op.init.startTime, random: noRandom, uuid: noUuid, log: noLog, tap: logTap };
      const made = makeGlobals(cell);
      const activator = runtime.createActivator(op.init, cell);
      apply(weakAdd, activators, [activator]);
      const requireModule = (name) => {
        if (name === 'aion/workflow') return runtime.api;
        violate('workflow code cannot load ' + JSON.stringify(name) + ' at run time; bundle it into the package');
      };
      let module;
      try { module = userFactory(requireModule, made[0], made[1], made[2], made[3]); } catch (err) { throw explain(err); }
      activator.setWorkflows(module);
      return activator;
    },
    __aionActivateOne() {
      const op = take();
      op.activator.activate(op.input);
    },
    __aionConditionsOne() {
      return take().activator.checkConditions();
    },
    __aionDisposeOne() {
      const activator = take().activator;
      if (typeof activator.dispose === 'function') activator.dispose();
    },
    __aionQuery() {
      const op = take();
      if (op.validate) return op.activator.validateUpdate(op.name, op.args);
      return op.name === '__stack_trace'
        ? { ok: true, stackTrace: op.activator.stackTrace() }
        : op.activator.query(op.name, op.args);
    },
  };
  const fix = (name, value) => defineProperty(g, name, { __proto__: null, value, writable: false, enumerable: false, configurable: false });
  const hookNames = objectKeys(hooks);
  for (let i = 0; i < hookNames.length; i++) fix(hookNames[i], hooks[hookNames[i]]);

  // The realm's global bindings before any bundle code runs.
  const bootKeys = ownKeys(g);
  let baseline;
  const lock = () => {
    const keys = ownKeys(g);
    const rooted = [];
    for (let k = 0; k < bootKeys.length; k++) push(rooted, bootKeys[k]);
    for (let k = 0; k < keys.length; k++) {
      if (typeof keys[k] === 'string' && keys[k].startsWith('__aion')) {
        fix(keys[k], g[keys[k]]);
        push(rooted, keys[k]);
      }
    }
    runtime = g.__aionRuntime;
    userFactory = g.__aionUserFactory;
    const roots = globalRoots(rooted);
    push(roots, ['WorkflowSandboxViolation', WorkflowSandboxViolation]);
    const found = collectIntrinsics(roots);
    baseline = { objects: found.objects, paths: found.paths, snap: snapshotOf(found.objects), globalKeys: keys, globals: recordOf(g) };
  };
  const settle = () => {
    if (settled) return undefined;
    const b = baseline;
    // Built-ins first: reading the global's descriptors goes through Node's interceptors, which
    // rely on an unpolluted Object.prototype.
    const change = changeSince(b.objects, b.paths, b.snap);
    if (change !== undefined) return change;
    for (let j = 2; j < b.globals.length; j += 5) {
      const d = getOwnPropertyDescriptor(g, b.globals[j]);
      const where = 'globalThis' + keyName(b.globals[j]);
      if (d === undefined) return where + ' was deleted';
      const first = hasOwn(d, 'value') ? d.value : d.get;
      const second = hasOwn(d, 'value') ? undefined : d.set;
      if (!same(first, b.globals[j + 2]) || second !== b.globals[j + 3]) return where + ' was replaced';
    }
    hardenAll(b.objects, b.paths, b.globalKeys);
    baseline = undefined;
    settled = true;
    return undefined;
  };
  const activate = (activator, input) => {
    checkActivator(activator);
    activator.activate(copyInput(input));
  };
  return { setOp, activate, lock, settle };
})
`;

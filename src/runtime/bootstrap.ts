/**
 * Source of the script evaluated once in every package context. It runs inside the
 * sandbox realm, so everything it creates (per-run Date, Math, console, crypto) belongs to
 * that realm. Globals that could break determinism are removed or replaced by functions
 * that throw a `WorkflowSandboxViolation` with a hint.
 */
export const BOOTSTRAP_SOURCE = String.raw`
(function (g) {
  'use strict';
  class WorkflowSandboxViolation extends Error {
    constructor(message) { super(message); this.name = 'WorkflowSandboxViolation'; }
  }
  const forbid = (name, hint) => function () {
    throw new WorkflowSandboxViolation(name + ' is not available in workflow code: ' + hint);
  };
  const timerHint = "use sleep() or condition() from 'aion/workflow' (durable timers)";
  for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate']) {
    g[name] = forbid(name, timerHint);
  }
  g.fetch = forbid('fetch', 'do I/O in an activity');
  g.queueMicrotask = forbid('queueMicrotask', 'await a promise instead');
  for (const name of ['WeakRef', 'FinalizationRegistry', 'SharedArrayBuffer', 'Atomics']) delete g[name];

  const BaseDate = g.Date;
  const baseRandom = g.Math.random;
  // Globals reached explicitly through globalThis are not per-run: refuse them clearly.
  BaseDate.now = forbid('globalThis.Date.now', 'call Date.now() directly (it returns workflow time)');
  g.Math.random = forbid('globalThis.Math.random', "call Math.random() directly or random() from 'aion/workflow'");
  void baseRandom;

  g.__aionMakeGlobals = function (cell) {
    function WorkflowDate(...args) {
      if (!new.target) return new BaseDate(cell.now()).toString();
      return args.length === 0 ? Reflect.construct(BaseDate, [cell.now()], new.target) : Reflect.construct(BaseDate, args, new.target);
    }
    WorkflowDate.prototype = BaseDate.prototype;
    WorkflowDate.now = () => cell.now();
    WorkflowDate.parse = BaseDate.parse;
    WorkflowDate.UTC = BaseDate.UTC;
    const WorkflowMath = Object.create(g.Math);
    WorkflowMath.random = () => cell.random();
    const log = (level) => (...args) => cell.log(level, args);
    const workflowConsole = { log: log('info'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug'), trace: log('debug') };
    const workflowCrypto = {
      randomUUID: () => cell.uuid(),
      getRandomValues: (array) => {
        const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(cell.random() * 256);
        return array;
      },
    };
    return [WorkflowDate, WorkflowMath, workflowConsole, workflowCrypto];
  };

  g.__aionInstantiate = function () {
    const op = g.__aionOp;
    const runtime = g.__aionRuntime;
    if (runtime.ACTIVATION_PROTOCOL_VERSION !== op.protocolVersion) {
      throw new WorkflowSandboxViolation('package runtime speaks activation protocol ' + runtime.ACTIVATION_PROTOCOL_VERSION + ' but this engine speaks ' + op.protocolVersion + '; rebuild the package with this Aion');
    }
    const cell = { now: () => op.init.startTime, random: () => 0, uuid: () => '', log: () => undefined };
    const [D, M, C, K] = g.__aionMakeGlobals(cell);
    const activator = runtime.createActivator(op.init, cell);
    const requireModule = (name) => {
      if (name === 'aion/workflow') return runtime.api;
      throw new WorkflowSandboxViolation('workflow code cannot load ' + JSON.stringify(name) + ' at run time; bundle it into the package');
    };
    activator.setWorkflows(g.__aionUserFactory(requireModule, D, M, C, K));
    return activator;
  };

  g.__aionActivateOne = function () {
    const op = g.__aionOp;
    op.activator.activate(op.input);
  };

  g.__aionConditionsOne = function () {
    return g.__aionOp.activator.checkConditions();
  };

  g.__aionQuery = function () {
    const op = g.__aionOp;
    if (op.validate) return op.activator.validateUpdate(op.name, op.args);
    return op.name === '__stack_trace'
      ? { ok: true, stackTrace: op.activator.stackTrace() }
      : op.activator.query(op.name, op.args);
  };
})(globalThis);
`;

import vm from 'node:vm';
import {
  ACTIVATION_PROTOCOL_VERSION,
  AionError,
  type ActivationInput,
  type ActivationOutput,
  type LogLine,
  type Payload,
  type QueryOutcome,
  type UpdateValidation,
  type SandboxActivator,
  type WorkflowInitInfo,
} from '../core/index.js';
import { BOOTSTRAP_SOURCE, type RealmControl } from './bootstrap.js';
import { drainMicrotasks } from './drain.js';
import { withSharedStrings } from './init-strings.js';
import { hostCapabilities } from './realm-bridge.js';
import { describeActivity, type ThreadActivity } from './resource-limits.js';

/** Default deadlock timeout of one activation (synchronous workflow code). */
export const DEFAULT_DEADLOCK_TIMEOUT_MS = 2000;

const ACTIVATE = new vm.Script('__aionActivateOne()', { filename: 'aion:activate' });
const CONDITIONS = new vm.Script('__aionConditionsOne()', { filename: 'aion:conditions' });
const RUNTIME = new vm.Script('globalThis.__aionRuntime = globalThis.__aionRuntimeFactory()', {
  filename: 'aion:runtime',
});
const INSTANTIATE = new vm.Script('__aionInstantiate()', { filename: 'aion:instantiate' });
const QUERY = new vm.Script('__aionQuery()', { filename: 'aion:query' });
const DISPOSE = new vm.Script('__aionDisposeOne()', { filename: 'aion:dispose' });
const BOOTSTRAP = new vm.Script(BOOTSTRAP_SOURCE, { filename: 'aion:bootstrap' });

/** Runs the bootstrap in a fresh context; the host capabilities stay in its closure. */
function connectRealm(context: vm.Context, onLog?: (line: LogLine) => void): RealmControl {
  const install = BOOTSTRAP.runInContext(context) as (
    global: unknown,
    host: Record<string, unknown>,
  ) => RealmControl;
  const global = vm.runInContext('globalThis', context) as unknown;
  const tap = onLog
    ? (level: string, message: string, at: number) =>
        onLog({ level: level as LogLine['level'], message, at })
    : undefined;
  const control = install(global, hostCapabilities(tap));
  // Keep the functions, not the realm object (its properties are workflow-reachable later).
  return {
    setOp: control.setOp,
    activate: control.activate,
    lock: control.lock,
    settle: control.settle,
  };
}

export interface SandboxOptions {
  readonly deadlockTimeoutMs?: number;
  /** Sees each log line of workflow code as it is written (the workflow thread's watchdog). */
  readonly onLog?: (line: LogLine) => void;
  /**
   * False where a watchdog outside the sandbox stops code that never returns (the workflow
   * thread's, which replaces the thread): module evaluation and `dispose` then run without
   * the vm's own watchdog, which starts a thread per evaluation — more than a whole
   * activation costs. Default true (the inline runtime has no other watchdog).
   */
  readonly vmWatchdog?: boolean;
}

/** Thrown when workflow code did not return within the deadlock timeout. */
export class DeadlockError extends Error {
  /**
   * The log lines the stopped request's workflow code wrote before it stuck (the workflow
   * thread sees them as they are written); its output, and the lines with it, are lost.
   */
  logs: readonly LogLine[] = [];

  constructor(
    readonly timeoutMs: number,
    during: ThreadActivity = 'code',
  ) {
    super(
      during === 'code'
        ? `workflow code did not yield within ${timeoutMs} ms (a synchronous loop?); the task will be retried`
        : during === 'dispose'
          ? `${describeActivity(during)} did not return within ${timeoutMs} ms (a synchronous loop?); the workflow thread was replaced`
          : `${describeActivity(during)} did not finish within ${timeoutMs} ms (a loop at module level?); the task will be retried`,
    );
    this.name = 'DeadlockError';
  }
}

function isTimeout(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'
  );
}

/** One run's instance inside a package sandbox. */
export interface SandboxRun {
  readonly activator: SandboxActivator;
  readonly sandbox: PackageSandbox;
}

export interface BatchItem {
  readonly run: SandboxRun;
  readonly input: ActivationInput;
}

/**
 * A package version's sandbox: one `node:vm` context with deterministic globals, the bundle
 * compiled once into a module factory, and a fresh module instance per run. No object of the
 * host realm is reachable from workflow code (the globals the runtime needs are in-realm
 * wrappers, host data is copied in), and the realm's built-in objects are frozen after the
 * first module evaluation (see docs/packages.md, "Trust model").
 */
export class PackageSandbox {
  readonly version: string;
  readonly deadlockTimeoutMs: number;
  /** Options of module evaluations and disposals: the vm watchdog, unless another one runs. */
  readonly #guarded: vm.RunningScriptOptions | undefined;
  readonly #context: vm.Context;
  readonly #realm: RealmControl;
  /** Set when the first module evaluation changed a built-in: every instantiation refuses. */
  #refused: AionError | undefined;
  #settled = false;

  private constructor(
    version: string,
    context: vm.Context,
    realm: RealmControl,
    deadlockTimeoutMs: number,
    vmWatchdog: boolean,
  ) {
    this.version = version;
    this.#context = context;
    this.#realm = realm;
    this.deadlockTimeoutMs = deadlockTimeoutMs;
    this.#guarded = vmWatchdog ? { timeout: deadlockTimeoutMs } : undefined;
  }

  static create(bundle: string, version: string, options: SandboxOptions = {}): PackageSandbox {
    // A null-prototype contextified object: the global's named-property lookups fall through
    // to it, so with the host's Object.prototype behind it `globalThis.constructor` (and every
    // other inherited name) would be a host function.
    const context = vm.createContext(Object.create(null) as object, {
      name: `aion-package-${version.slice(0, 12)}`,
      microtaskMode: 'afterEvaluate',
      codeGeneration: { strings: false, wasm: false },
    });
    const realm = connectRealm(context, options.onLog);
    try {
      // The bundle defines the runtime factory and the per-run user-module factory.
      new vm.Script(bundle, { filename: `aion-package-${version.slice(0, 12)}.js` }).runInContext(
        context,
      );
      RUNTIME.runInContext(context);
    } catch (err) {
      throw new AionError(
        'package_invalid',
        `package ${version} bundle does not load: ${(err as Error).message}`,
        { rule: 'bundle_compile' },
      );
    }
    realm.lock();
    return new PackageSandbox(
      version,
      context,
      realm,
      options.deadlockTimeoutMs ?? DEFAULT_DEADLOCK_TIMEOUT_MS,
      options.vmWatchdog ?? true,
    );
  }

  #op(op: Record<string, unknown> | undefined): void {
    this.#realm.setOp(op);
  }

  /** After the first module evaluation: the refusal if it changed a built-in (else they are now frozen). */
  #settle(): AionError | undefined {
    if (this.#settled) return this.#refused;
    this.#settled = true;
    const change = this.#realm.settle();
    if (change !== undefined) {
      this.#refused = new AionError(
        'package_invalid',
        `package ${this.version} changes built-in objects when its module is evaluated (${change}); ` +
          'workflow code cannot modify built-ins, which every run of the package shares',
        { rule: 'intrinsics_modified', change },
      );
    }
    return this.#refused;
  }

  /**
   * Creates a fresh module instance for a run. Throws DeadlockError, the module's own error,
   * or `package_invalid` when the package's first module evaluation changed a built-in.
   */
  instantiate(init: WorkflowInitInfo): SandboxRun {
    if (this.#refused) throw this.#refused;
    let outcome: { activator: SandboxActivator } | { error: Error };
    this.#op({ init: withSharedStrings(init), protocolVersion: ACTIVATION_PROTOCOL_VERSION });
    try {
      outcome = {
        activator: INSTANTIATE.runInContext(this.#context, this.#guarded) as SandboxActivator,
      };
    } catch (err) {
      outcome = {
        error: isTimeout(err)
          ? new DeadlockError(this.deadlockTimeoutMs, 'module')
          : (err as Error),
      };
    } finally {
      this.#op(undefined);
    }
    const refused = this.#settle();
    if (refused) throw refused;
    if ('error' in outcome) throw outcome.error;
    return { activator: outcome.activator, sandbox: this };
  }

  /**
   * Activates several runs of this package in one evaluation. Each run's state is its own;
   * interleaved microtasks of different runs cannot affect each other. With `timeout`, a vm
   * watchdog throws DeadlockError (the caller must then discard every run of the batch) — only
   * safe where no async hooks are enabled: the engine instead runs sandboxes on a workflow
   * thread and terminates the thread on deadlock.
   */
  activateBatch(
    items: readonly BatchItem[],
    options: { timeout?: boolean; onProgress?: (index: number) => void } = {},
  ): ActivationOutput[] {
    const outputs: ActivationOutput[] = [];
    // One run at a time: each evaluation drains that run's microtasks before the next run
    // starts, so the runtime's current-run pointer is exact.
    for (let index = 0; index < items.length; index++) {
      const item = items[index]!;
      outputs.push(this.activate(item.run, item.input, options.timeout === true));
      options.onProgress?.(index);
    }
    return outputs;
  }

  /** Activates one run (see {@link activateBatch}). */
  activate(run: SandboxRun, input: ActivationInput, timeout = false): ActivationOutput {
    const runOptions = timeout ? { timeout: this.deadlockTimeoutMs } : undefined;
    const activator = run.activator;
    try {
      if (runOptions === undefined) {
        // Without a vm timeout the hook is called directly (no lookup of it through the
        // context's global interceptor), then an empty evaluation drains its microtasks.
        try {
          this.#realm.activate(activator, input);
        } finally {
          drainMicrotasks(this.#context);
        }
      } else {
        this.#op({ activator, input });
        ACTIVATE.runInContext(this.#context, runOptions);
      }
      // Resolving condition() waiters may unblock code that makes further conditions true.
      // Without waiters there is nothing to check (runtimes without hasConditions: check).
      const some = activator.hasConditions === undefined || activator.hasConditions();
      for (let round = 0; some && round < 10_000; round++) {
        this.#op({ activator });
        if (!(CONDITIONS.runInContext(this.#context, runOptions) as boolean)) break;
      }
    } catch (err) {
      if (isTimeout(err)) throw new DeadlockError(this.deadlockTimeoutMs);
      throw err;
    } finally {
      this.#op(undefined);
    }
    return activator.takeOutput();
  }

  /** Answers a query (or the built-in `__stack_trace`) without changing the run. */
  query(
    run: SandboxRun,
    name: string,
    args: readonly Payload[],
  ): QueryOutcome | { ok: true; stackTrace: string } {
    this.#op({ activator: run.activator, name, args });
    try {
      return QUERY.runInContext(this.#context, { timeout: this.deadlockTimeoutMs }) as
        QueryOutcome | { ok: true; stackTrace: string };
    } catch (err) {
      if (isTimeout(err)) {
        return {
          ok: false,
          code: 'query_failed',
          failure: {
            type: 'DeadlockError',
            message: `query handler ${name} did not return within ${this.deadlockTimeoutMs} ms`,
            retryable: false,
          },
        };
      }
      throw err;
    } finally {
      this.#op(undefined);
    }
  }

  /**
   * Tells a run's instance it is being dropped (its `dispose` interceptors run). Never throws:
   * a run that overruns the deadlock timeout or fails here is dropped all the same.
   */
  dispose(run: SandboxRun): void {
    this.#op({ activator: run.activator });
    try {
      DISPOSE.runInContext(this.#context, this.#guarded);
    } catch {
      // The instance is going away whatever its interceptors do.
    } finally {
      this.#op(undefined);
    }
  }

  /** Runs an update's validator (read-only). */
  validateUpdate(run: SandboxRun, name: string, args: readonly Payload[]): UpdateValidation {
    this.#op({ activator: run.activator, name, args, validate: true });
    try {
      return QUERY.runInContext(this.#context) as UpdateValidation;
    } finally {
      this.#op(undefined);
    }
  }

  /** Lists the workflow functions a bundle exports (evaluates module-level code once). */
  workflowTypes(): string[] {
    return this.inspect().workflowTypes;
  }

  /** Workflow types and the exported `workflowDefaults` (JSON), from one module instance. */
  inspect(): { workflowTypes: string[]; defaults: string | undefined } {
    const run = this.instantiate({
      namespace: 'default',
      workflowId: 'inspect',
      runId: '00000000-0000-4000-8000-000000000000',
      workflowType: '',
      taskQueue: 'default',
      startTime: 0,
      version: this.version,
      firstRunId: '00000000-0000-4000-8000-000000000000',
      randomSeed: 'inspect',
      attempt: 1,
    });
    return {
      workflowTypes: [...run.activator.workflowTypes()],
      defaults: run.activator.workflowDefaults(),
    };
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import vm from 'node:vm';
import {
  ACTIVATION_PROTOCOL_VERSION,
  AionError,
  type ActivationInput,
  type ActivationOutput,
  type Payload,
  type QueryOutcome,
  type UpdateValidation,
  type SandboxActivator,
  type WorkflowInitInfo,
} from '../core/index.js';
import { BOOTSTRAP_SOURCE } from './bootstrap.js';
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
const BOOTSTRAP = new vm.Script(BOOTSTRAP_SOURCE, { filename: 'aion:bootstrap' });

/** Thrown when workflow code did not return within the deadlock timeout. */
export class DeadlockError extends Error {
  constructor(
    readonly timeoutMs: number,
    during: ThreadActivity = 'code',
  ) {
    super(
      during === 'code'
        ? `workflow code did not yield within ${timeoutMs} ms (a synchronous loop?); the task will be retried`
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
 * compiled once into a module factory, and a fresh module instance per run.
 */
export class PackageSandbox {
  readonly version: string;
  readonly deadlockTimeoutMs: number;
  readonly #context: vm.Context;

  private constructor(version: string, context: vm.Context, deadlockTimeoutMs: number) {
    this.version = version;
    this.#context = context;
    this.deadlockTimeoutMs = deadlockTimeoutMs;
  }

  static create(
    bundle: string,
    version: string,
    options: { deadlockTimeoutMs?: number } = {},
  ): PackageSandbox {
    const context = vm.createContext(
      {
        __aionAsyncLocalStorage: AsyncLocalStorage,
        TextEncoder,
        TextDecoder,
        URL,
        URLSearchParams,
      },
      {
        name: `aion-package-${version.slice(0, 12)}`,
        microtaskMode: 'afterEvaluate',
        codeGeneration: { strings: false, wasm: false },
      },
    );
    BOOTSTRAP.runInContext(context);
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
    return new PackageSandbox(
      version,
      context,
      options.deadlockTimeoutMs ?? DEFAULT_DEADLOCK_TIMEOUT_MS,
    );
  }

  #op(op: Record<string, unknown>): void {
    (this.#context as Record<string, unknown>).__aionOp = op;
  }

  /** Creates a fresh module instance for a run. Throws DeadlockError or the module's own error. */
  instantiate(init: WorkflowInitInfo): SandboxRun {
    this.#op({ init, protocolVersion: ACTIVATION_PROTOCOL_VERSION });
    try {
      const activator = INSTANTIATE.runInContext(this.#context, {
        timeout: this.deadlockTimeoutMs,
      }) as SandboxActivator;
      return { activator, sandbox: this };
    } catch (err) {
      if (isTimeout(err)) throw new DeadlockError(this.deadlockTimeoutMs, 'module');
      throw err;
    } finally {
      this.#op({});
    }
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
    options: { timeout?: boolean; onProgress?: () => void } = {},
  ): ActivationOutput[] {
    const runOptions = options.timeout ? { timeout: this.deadlockTimeoutMs } : undefined;
    const outputs: ActivationOutput[] = [];
    // One run at a time: each evaluation drains that run's microtasks before the next run
    // starts, so the runtime's current-run pointer is exact.
    for (const item of items) {
      this.#op({ activator: item.run.activator, input: item.input });
      try {
        ACTIVATE.runInContext(this.#context, runOptions);
        // Resolving condition() waiters may unblock code that makes further conditions true.
        for (let round = 0; round < 10_000; round++) {
          if (!(CONDITIONS.runInContext(this.#context, runOptions) as boolean)) break;
        }
      } catch (err) {
        if (isTimeout(err)) throw new DeadlockError(this.deadlockTimeoutMs);
        throw err;
      } finally {
        this.#op({});
      }
      outputs.push(item.run.activator.takeOutput());
      options.onProgress?.();
    }
    return outputs;
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
      this.#op({});
    }
  }

  /** Runs an update's validator (read-only). */
  validateUpdate(run: SandboxRun, name: string, args: readonly Payload[]): UpdateValidation {
    this.#op({ activator: run.activator, name, args, validate: true });
    try {
      return QUERY.runInContext(this.#context) as UpdateValidation;
    } finally {
      this.#op({});
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

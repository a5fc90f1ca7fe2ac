// What one run case of the SDK yardstick is: a workflow from Temporal's test workflows, how to
// drive it, and what Temporal's own tests expect of it. The cases are written from reading
// `packages/test/src/test-workflows.ts` and `test-integration-*.ts`; no Temporal code is here.
import type { Engine, EngineOptions, WorkflowHandle } from '../../src/index.js';

/** Why a case is known to fail on Aion (printed as `reason` when it does). */
export type GapKind =
  /** `aion/workflow` lacks a name the workflow imports. */
  | 'missing-workflow-api'
  /** The API exists, it behaves differently from Temporal's. */
  | 'semantics'
  /** The engine or its client lacks a feature the test drives. */
  | 'engine-feature';

/** A failure as the case sees it: the error's name, failure type, message and cause chain. */
export interface FailureView {
  readonly name: string;
  readonly type?: string;
  readonly message: string;
  readonly nonRetryable?: boolean;
  readonly details?: readonly unknown[];
  readonly cause?: FailureView;
}

/** Matches a {@link FailureView}: every given field must match (message: exact or pattern). */
export interface FailureMatch {
  readonly name?: string;
  readonly type?: string;
  readonly message?: string | RegExp;
  readonly nonRetryable?: boolean;
  readonly cause?: FailureMatch;
}

export type Expectation =
  /** The drive's value (by default the workflow's result) deep-equals `result`. */
  | { readonly result: unknown }
  /** The run failed (the drive threw a WorkflowFailedError) with a failure that matches. */
  | { readonly failure: FailureMatch }
  /** The drive threw (not a failed run): the error matches. */
  | { readonly error: FailureMatch }
  /** A custom check of the drive's value: a mismatch description, or undefined when it holds. */
  | { readonly check: (value: unknown) => string | undefined };

export interface DriveContext {
  readonly engine: Engine;
  readonly handle: WorkflowHandle<unknown>;
}

export interface SdkCase {
  /** Unique: the Temporal test's title, or `<title>/<detail>` when one test makes several. */
  readonly name: string;
  /** The Temporal test file whose expectation the case checks. */
  readonly from: string;
  /** The file in `packages/test/src/workflows`. */
  readonly file: string;
  readonly type: string;
  readonly args?: readonly unknown[];
  /** Options of the start beyond the args (e.g. memo, search attributes, retry). */
  readonly start?: Readonly<Record<string, unknown>>;
  readonly activities?: EngineOptions['activities'];
  /**
   * The task queue the engine's activities serve (its `taskQueue`), when the workflow sends
   * them to another queue than its own (as Temporal's tests run an activity worker there).
   */
  readonly activityQueue?: string;
  /**
   * Other files of `workflows/` deployed beside `file` (Temporal bundles every test workflow
   * together; here a child or continue-as-new target in another file is deployed with it).
   */
  readonly with?: readonly string[];
  /** `virtual`: the engine runs on a clock the drive moves (see drives.ts). Default real. */
  readonly clock?: 'virtual';
  /** Signals, queries, updates, cancellation… The default waits for the result. */
  readonly drive?: (c: DriveContext) => Promise<unknown>;
  readonly expect: Expectation;
  /**
   * The run's `console.log` lines, each as the list of its arguments (what Temporal's tests
   * compare); checked besides `expect` when given.
   */
  readonly logs?: readonly (readonly unknown[])[];
  /** Set when the case is known to fail on Aion: why. */
  readonly gap?: { readonly kind: GapKind; readonly reason: string };
}

/** A Temporal test left out of the count: it checks Temporal's own infrastructure. */
export interface ExcludedTest {
  readonly name: string;
  readonly from: string;
  readonly why: string;
}

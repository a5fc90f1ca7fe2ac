// What a driver declares about one sample, and what it gets to drive it.
import type { TestWorkflowEnvironment } from '../../src/testing/index.js';

/** How a sample's activity module is used. */
export type ActivityUse =
  /** Imported from the rewritten copy (only import specifiers changed) and registered as is. */
  | 'unchanged'
  /** The sample has no activity module. */
  | 'none'
  /** The module needs `@temporalio/client` or a live endpoint: see the note. */
  | 'needs-client'
  /** The module runs unchanged; a live endpoint's client library is stubbed (see the note). */
  | 'stubbed-endpoint';

/** Activity functions as a worker registers them. */
export type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

/** One sample's rewritten copy and the environment, for its driver. */
export interface SampleContext {
  /** Absolute path of the sample's rewritten copy. */
  readonly dir: string;
  /** Absolute path of a file of the rewritten copy. */
  path(rel: string): string;
  /** Imports a module of the rewritten copy (TypeScript through tsx). */
  load<T = Activities>(rel: string): Promise<T>;
  /** The environment, once it is started (for activities that need a client). */
  env(): TestWorkflowEnvironment;
}

export interface Sample {
  /** The sample's folder in samples-typescript. */
  readonly name: string;
  /** Workflow module, relative to the sample's folder. */
  readonly workflows: string;
  readonly taskQueue?: string;
  readonly activityUse: ActivityUse;
  /** What the driver translated or left out, and why. */
  readonly note?: string;
  /** Third-party packages the sample's modules import at run time (installed by `--install`). */
  readonly packages?: readonly string[];
  /** Builds the activities as the sample's worker does; called before the engine starts. */
  readonly activities?: (ctx: SampleContext) => Promise<Activities>;
  /** Drives the sample as its client or test does; throws when a check of theirs fails. */
  readonly run: (env: TestWorkflowEnvironment, ctx: SampleContext) => Promise<void>;
  /** Engine options beyond workflowsPath, activities and taskQueue. */
  readonly engine?: Record<string, unknown>;
  /** Runs the activity module on its own (MockActivityEnvironment), whatever the workflow does. */
  readonly activityCheck?: (ctx: SampleContext) => Promise<void>;
  /** Wall clock (`createLocal`) instead of time skipping, where the sample's test uses it. */
  readonly local?: boolean;
}

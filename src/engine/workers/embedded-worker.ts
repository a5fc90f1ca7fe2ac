// The engine's own activity worker — the activities given to `createEngine` — described like
// a connected remote worker, for listings of a task queue's workers.
import type { ActivityExecutor } from '../../activity/internal.js';

/** The engine's in-process activity worker, as listings show it. */
export interface EmbeddedWorkerSnapshot {
  /** The engine's identity. */
  readonly identity: string;
  /** The queue it serves (the engine's `taskQueue`), in every namespace the engine serves. */
  readonly taskQueue: string;
  readonly activityTypes: readonly string[];
  readonly maxConcurrent: number;
  /** Attempts running now, all namespaces together. */
  readonly inFlight: number;
  /** When the engine started serving its activities (epoch ms). */
  readonly connectedAt: number;
}

/** Undefined when the engine has no activities of its own. */
export function embeddedWorkerSnapshot(parts: {
  readonly executor: ActivityExecutor | undefined;
  readonly identity: string;
  readonly taskQueue: string;
}): EmbeddedWorkerSnapshot | undefined {
  const { executor } = parts;
  if (executor === undefined) return undefined;
  return {
    identity: parts.identity,
    taskQueue: parts.taskQueue,
    activityTypes: executor.activityTypes,
    maxConcurrent: executor.maxConcurrent,
    inFlight: executor.getStats().running,
    connectedAt: executor.startedAt,
  };
}

// A server's audit entry carried by the start it records: written in the transaction of the
// run's start commit (only if the store accepts it), so an audited start costs one durable
// commit instead of two. An internal start option, keyed by a symbol: never user input (the
// option checks list string keys only), never persisted (not part of any recorded event).
import type { WorkflowStartOptions } from '../../core/index.js';
import type { AuditEntry } from '../../store/index.js';
import type { PendingStart } from '../run-actor.js';

/** The start option holding a {@link StartAudit}. */
export const START_AUDIT: unique symbol = Symbol('aion.startAudit');

/**
 * The audit entry of a start, handed to the engine with it. When the start creates a run, the
 * engine builds the entry with the run's final workflow id, writes it with the run's start
 * commit and sets `carried` once that commit is durable. When it creates none (the id
 * policies returned an existing run, a retried request id, a failure, a start carried out by
 * another cluster node) `carried` stays false: the caller writes the entry itself.
 */
export interface StartAudit {
  readonly entry: (workflowId: string) => AuditEntry;
  carried: boolean;
}

/** Start options carrying `audit` (the options are not changed). */
export function withStartAudit(
  options: WorkflowStartOptions,
  audit: StartAudit,
): WorkflowStartOptions {
  const carrying: WorkflowStartOptions & { [START_AUDIT]: StartAudit } = {
    ...options,
    [START_AUDIT]: audit,
  };
  return carrying;
}

/** The audit write of a start that creates the run `workflowId`, if its options carry one. */
export function startAuditWrite(
  options: WorkflowStartOptions,
  workflowId: string,
): PendingStart['audit'] {
  const audit = (options as { readonly [START_AUDIT]?: StartAudit })[START_AUDIT];
  if (audit === undefined) return undefined;
  return {
    entries: [audit.entry(workflowId)],
    carried: () => {
      audit.carried = true;
    },
  };
}

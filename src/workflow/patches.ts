import { IllegalStateError } from './internal/illegal-state.js';
import { getState, hasState, pushCommand } from './internal/run-state.js';

function patch(patchId: string, deprecated: boolean): boolean {
  if (typeof patchId !== 'string' || patchId.length === 0 || patchId.length > 200) {
    throw new TypeError('patch id must be a non-empty string of at most 200 characters');
  }
  if (!hasState())
    throw new IllegalStateError('patched() and deprecatePatch() can only be used in workflow code');
  const s = getState();
  // Module-level code runs before the workflow starts: no marker may be recorded there.
  if (!s.started) throw new IllegalStateError('Patches cannot be used before Workflow starts');
  // Live code takes the new branch; replay takes it only if the history recorded the patch.
  const usePatch = !s.replaying || s.knownPatches.has(patchId);
  if (usePatch && !s.sentPatches.has(patchId)) {
    s.sentPatches.add(patchId);
    pushCommand(s, { type: 'recordPatch', patchId, deprecated });
  }
  return usePatch;
}

/**
 * Lets a running workflow take a code change safely. Returns true for runs that reach this
 * point with the new code (the decision is recorded), false for runs whose history was
 * recorded before the change (they keep the old branch on replay).
 *
 * @example
 * if (patched('send-receipt')) await sendReceipt(order); // new behaviour
 */
export function patched(patchId: string): boolean {
  return patch(patchId, false);
}

/**
 * Marks a patch whose old branch has been removed: no run still needs it. Histories with or
 * without the patch marker both replay. Remove the call once those histories are gone.
 */
export function deprecatePatch(patchId: string): void {
  patch(patchId, true);
}

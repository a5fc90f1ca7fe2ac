import type { WorkflowCommand } from '../../core/index.js';
import type { RunState } from './run-state.js';

/**
 * Gives the activation's signal/cancel requests their recorded ids. The engine numbers
 * recorded requests in history order, while workflow code numbers a request when it is made;
 * the two differ once a request was withdrawn (its scope cancelled before it left the
 * activation). Pending requests are re-keyed so later outcomes find them.
 */
export function assignExternalIds(s: RunState): WorkflowCommand[] {
  return s.commands.map((cmd) => {
    if (cmd.type !== 'signalExternal' && cmd.type !== 'cancelExternal') return cmd;
    const recorded = String(++s.recordedExternals);
    if (recorded === cmd.externalId) return cmd;
    const pending = s.externals.get(cmd.externalId);
    if (pending) {
      s.externals.delete(cmd.externalId);
      s.externals.set(recorded, pending);
    }
    return { ...cmd, externalId: recorded };
  });
}

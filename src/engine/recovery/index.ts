// Recovery sweeps: what the engine re-drives at startup from what the store holds (open runs
// here; unsettled outbox rows through the outbox dispatcher).
export { recoverOpenRuns, useOpenNamespaces, type RecoveryDeps } from './recover-open-runs.js';

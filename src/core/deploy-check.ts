// What a pre-deploy replay check reports: the engine computes it, the HTTP API and the
// remote client carry it unchanged.

/** An open run whose history the checked package does not replay. */
export interface DeployCheckDivergence {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  /** The version the run is pinned to now. */
  readonly version: string;
  /** Where and how the replay diverged (or crashed). */
  readonly message: string;
}

/** What a pre-deploy replay check found (`engine.checkDeploy`, `client.checkDeploy`). */
export interface DeployCheckResult {
  /** The checked package's version (its content hash). */
  readonly version: string;
  /** The workflow types it exports. */
  readonly workflowTypes: readonly string[];
  /** Open runs replayed. */
  readonly checked: number;
  /** Of those, the ones that replayed without divergence. */
  readonly passed: number;
  readonly diverged: readonly DeployCheckDivergence[];
}

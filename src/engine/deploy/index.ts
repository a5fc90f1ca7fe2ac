// Deploys: package versions, routes per workflow type, unloading, and re-pinning stuck runs
// when a version they replay on is routed.
export { DeployService, type DeployResult, type VersionInfo } from './deploy-service.js';
export {
  DEFAULT_CHECK_SAMPLE,
  MAX_CHECK_SAMPLE,
  type DeployCheckDivergence,
  type DeployCheckResult,
} from './replay-check.js';

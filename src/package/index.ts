export { stopBuildService } from './build-service.js';
export {
  buildPackage,
  resolveWorkflowsPath,
  type BuildOptions,
  type BuiltPackage,
} from './build.js';
export {
  checkDeploy,
  checkWorkflowTypeNames,
  RESERVED_EXPORTS,
  type DeployCheckOptions,
} from './deploy-check.js';
export {
  readArchive,
  writeArchive,
  DEFAULT_ARCHIVE_LIMITS,
  type ArchiveLimits,
  type LoadedPackage,
} from './archive.js';
export {
  computeVersion,
  canonicalJson,
  sha256Hex,
  shortVersion,
  validateManifest,
  PACKAGE_FORMAT_VERSION,
  type PackageManifest,
  type ManifestWorkflowType,
  type WorkflowTypeDefaults,
} from './manifest.js';
export {
  checkWorkflows,
  scanSource,
  type CheckOptions,
  type CheckResult,
  type CheckFinding,
  type CheckRule,
  type CheckSeverity,
} from './check/index.js';

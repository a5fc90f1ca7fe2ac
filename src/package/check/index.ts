// `aion check`: a static scan of workflow code for APIs that break determinism or are not
// available in the workflow sandbox; this door exposes the run, the one-file scan and types.
/**
 * Only code reachable from the workflow entry module is scanned (esbuild resolves the import
 * graph exactly as `aion build` would); each reachable file is parsed as TypeScript/JavaScript
 * and its global references are checked.
 *
 * The scan is a guide, not a proof: the sandbox enforces the rules at run time. Findings in
 * first-party files carry the rule's severity; findings in dependencies (node_modules) are
 * warnings, since a file being bundled does not mean the offending code is called.
 */
export { checkWorkflows } from './check-workflows.js';
export { scanSource } from './scan.js';
export type { CheckFinding, CheckOptions, CheckResult, CheckRule, CheckSeverity } from './types.js';

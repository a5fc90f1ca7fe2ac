// Public types of `aion check` (rules, severities, findings, results, options) and the
// shape of one rule's finding text.

export type CheckSeverity = 'error' | 'warning';

export type CheckRule =
  | 'node-builtin-import'
  | 'host-import'
  | 'unresolved-import'
  | 'unknown-import'
  | 'non-async-workflow'
  | 'timer'
  | 'io'
  | 'host-global'
  | 'code-generation'
  | 'dynamic-import'
  | 'gc-observable'
  | 'shared-global-state'
  | 'global-realm-time'
  | 'host-locale'
  | 'parse-error';

export interface CheckFinding {
  readonly rule: CheckRule;
  readonly severity: CheckSeverity;
  /** Path relative to the checked directory's working directory (or absolute outside it). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly hint: string;
  /** True when the file is a dependency (under node_modules). */
  readonly dependency: boolean;
}

export interface CheckResult {
  readonly entry: string;
  /** Every source file reachable from the entry (relative paths), in scan order. */
  readonly files: readonly string[];
  readonly findings: readonly CheckFinding[];
  readonly errors: number;
  readonly warnings: number;
}

export interface CheckOptions {
  /** The workflow module, or a directory holding `index.ts`/`workflows.ts` (as for build). */
  readonly workflowsPath: string;
  /** Base for the relative file names in findings. Default: the current directory. */
  readonly cwd?: string;
}

/** What one finding of a rule says (its position is added by the scan). */
export interface RuleFinding {
  readonly rule: CheckRule;
  readonly severity: CheckSeverity;
  readonly message: string;
  readonly hint: string;
}

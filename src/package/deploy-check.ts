// What a package must pass before a deploy stores anything: its workflow type names are
// usable, its bundle loads in an isolated short-lived thread within the time and memory
// limits, and its manifest lists exactly the workflow functions the bundle exports.
import { AionError } from '../core/index.js';
import type { LoadedPackage } from './archive.js';
import { inspectBundle } from './inspect.js';
import type { PackageManifest } from './manifest.js';

/** Exports of a workflow module that are settings, not workflow types. */
export const RESERVED_EXPORTS: readonly string[] = [
  'workflowDefaults',
  'interceptors',
  'payloadConverter',
];

/** Names that would collide with object internals wherever types are looked up by name. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
  'then',
]);

const MAX_TYPE_NAME_LENGTH = 200;

export interface DeployCheckOptions {
  /** The engine's deadlock timeout: the load may take 5 × that, at least 30 s. */
  readonly deadlockTimeoutMs: number;
  /** Heap cap of the thread that loads it, MiB. */
  readonly heapLimitMb: number;
  /** Load on the calling thread (the deterministic simulator). */
  readonly inline?: boolean;
}

function invalid(rule: string, message: string, details: Record<string, unknown> = {}): AionError {
  return new AionError('package_invalid', message, { rule, ...details });
}

/** Throws `package_invalid` (rule `workflow_type_name`) for a name no workflow type may have. */
export function checkWorkflowTypeNames(manifest: Pick<PackageManifest, 'workflowTypes'>): void {
  const seen = new Set<string>();
  for (const t of manifest.workflowTypes) {
    const { name } = t;
    let problem: string | undefined;
    if (name.length === 0 || name.length > MAX_TYPE_NAME_LENGTH)
      problem = `must be 1–${MAX_TYPE_NAME_LENGTH} characters`;
    else if (FORBIDDEN_NAMES.has(name)) problem = 'is a reserved JavaScript property name';
    else if (RESERVED_EXPORTS.includes(name))
      problem = 'is a reserved export of a workflow module (a setting, not a workflow type)';
    else if (t.entry !== name)
      problem = `has entry ${JSON.stringify(t.entry)}; it must equal the name`;
    else if (seen.has(name)) problem = 'is listed twice';
    if (problem !== undefined) {
      throw invalid(
        'workflow_type_name',
        `workflow type ${JSON.stringify(name.slice(0, MAX_TYPE_NAME_LENGTH))} ${problem}; rename the workflow function and rebuild the package`,
        { workflowType: name.slice(0, MAX_TYPE_NAME_LENGTH) },
      );
    }
    seen.add(name);
  }
}

/**
 * Validates a read archive for a deploy: names, an isolated load, and manifest types equal
 * to the bundle's exported workflow functions. Throws `package_invalid` naming the `rule`.
 */
export async function checkDeploy(
  loaded: LoadedPackage,
  options: DeployCheckOptions,
): Promise<void> {
  checkWorkflowTypeNames(loaded.manifest);
  const inspected = await inspectBundle(loaded.bundle, {
    deadlockTimeoutMs: options.deadlockTimeoutMs,
    heapLimitMb: options.heapLimitMb,
    code: 'package_invalid',
    ...(options.inline === true ? { inline: true } : {}),
  });
  const exported = new Set(inspected.workflowTypes);
  const listed = new Set(loaded.manifest.workflowTypes.map((t) => t.name));
  const ghosts = [...listed].filter((n) => !exported.has(n)).sort();
  const unlisted = [...exported].filter((n) => !listed.has(n)).sort();
  if (ghosts.length === 0 && unlisted.length === 0) return;
  const parts = [
    ...(ghosts.length > 0
      ? [`lists workflow type(s) the bundle does not export: ${ghosts.join(', ')}`]
      : []),
    ...(unlisted.length > 0
      ? [`does not list exported workflow function(s): ${unlisted.join(', ')}`]
      : []),
  ];
  throw invalid(
    'workflow_types',
    `the package manifest ${parts.join('; ')}; rebuild the package with aion build`,
    { missing: ghosts, unlisted },
  );
}

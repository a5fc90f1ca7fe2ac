import { createHash } from 'node:crypto';
import { AionError } from '../core/index.js';

export const PACKAGE_FORMAT_VERSION = 1;

/** Default timeouts a package declares for a workflow type (start options win). */
export interface WorkflowTypeDefaults {
  readonly executionTimeoutMs?: number;
  readonly runTimeoutMs?: number;
}

export interface ManifestWorkflowType {
  readonly name: string;
  /** Export name in the bundle's workflow module (equal to `name` today). */
  readonly entry: string;
  readonly defaults?: WorkflowTypeDefaults;
}

/** `manifest.json` of a package. */
export interface PackageManifest {
  readonly formatVersion: number;
  readonly name: string;
  /** Version of the host ↔ sandbox activation protocol the bundled runtime speaks. */
  readonly protocolVersion: number;
  readonly workflowTypes: readonly ManifestWorkflowType[];
  readonly activities: readonly string[];
  /** Path of the bundle inside the archive. */
  readonly bundle: string;
  /** SHA-256 (hex) of the bundle bytes. */
  readonly bundleSha256: string;
  /** The content hash: see {@link computeVersion}. */
  readonly version: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted recursively: one byte sequence per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The version of a package: SHA-256 (hex) of
 * `"aion-package\n" + formatVersion + "\n" + protocolVersion + "\n" + bundleSha256 + "\n" +
 * canonicalJson(workflowTypes sorted by name)`. Everything that changes behaviour is in it;
 * the package name and activity list are not.
 */
export function computeVersion(
  manifest: Omit<PackageManifest, 'version' | 'name' | 'activities' | 'bundle'>,
): string {
  const types = [...manifest.workflowTypes].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return sha256Hex(
    `aion-package\n${manifest.formatVersion}\n${manifest.protocolVersion}\n${manifest.bundleSha256}\n${canonicalJson(types)}`,
  );
}

export function shortVersion(version: string): string {
  return version.slice(0, 12);
}

function invalid(rule: string, message: string): AionError {
  return new AionError('package_invalid', message, { rule });
}

/** Validates a parsed manifest's shape (not its hash). */
export function validateManifest(value: unknown): PackageManifest {
  if (typeof value !== 'object' || value === null)
    throw invalid('manifest_shape', 'manifest.json is not an object');
  const m = value as Record<string, unknown>;
  if (m.formatVersion !== PACKAGE_FORMAT_VERSION) {
    throw invalid(
      'format_version',
      `package format version ${String(m.formatVersion)} is not supported (this Aion reads ${PACKAGE_FORMAT_VERSION}); rebuild the package with this Aion`,
    );
  }
  for (const key of ['name', 'bundle', 'bundleSha256', 'version'] as const) {
    if (typeof m[key] !== 'string' || m[key].length === 0)
      throw invalid('manifest_shape', `manifest.json field ${key} must be a non-empty string`);
  }
  if (typeof m.protocolVersion !== 'number')
    throw invalid('manifest_shape', 'manifest.json field protocolVersion must be a number');
  if (!Array.isArray(m.workflowTypes) || m.workflowTypes.length === 0) {
    throw invalid(
      'entry_points',
      'manifest.json lists no workflow types; a package must export at least one workflow function',
    );
  }
  for (const t of m.workflowTypes as unknown[]) {
    const wt = t as Record<string, unknown>;
    if (typeof wt.name !== 'string' || typeof wt.entry !== 'string')
      throw invalid('manifest_shape', 'each workflow type needs string name and entry');
  }
  if (!Array.isArray(m.activities) || !m.activities.every((a) => typeof a === 'string')) {
    throw invalid('manifest_shape', 'manifest.json field activities must be an array of strings');
  }
  return value as PackageManifest;
}

import { unzipSync, zipSync, type UnzipFileFilter, type Unzipped } from 'fflate';
import { AionError } from '../core/index.js';
import { computeVersion, sha256Hex, validateManifest, type PackageManifest } from './manifest.js';

/** Limits applied when reading an archive (uploads are untrusted bytes until validated). */
export interface ArchiveLimits {
  /** Maximum archive size in bytes. Default 32 MiB. */
  readonly maxArchiveBytes: number;
  /** Maximum total inflated size in bytes. Default 128 MiB. */
  readonly maxInflatedBytes: number;
  /** Maximum number of entries. Default 64. */
  readonly maxEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = Object.freeze({
  maxArchiveBytes: 32 * 1024 * 1024,
  maxInflatedBytes: 128 * 1024 * 1024,
  maxEntries: 64,
});

/** A package read back from its archive: manifest + bundle source. */
export interface LoadedPackage {
  readonly manifest: PackageManifest;
  readonly version: string;
  readonly bundle: string;
}

// Fixed timestamp so the same inputs always give the same bytes (zip cannot store 1970).
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');

/** Writes the archive: a zip with `manifest.json` and the bundle, deterministic bytes. */
export function writeArchive(manifest: PackageManifest, bundle: string): Uint8Array {
  const enc = new TextEncoder();
  return zipSync(
    {
      'manifest.json': [
        enc.encode(`${JSON.stringify(manifest, null, 2)}\n`),
        { mtime: FIXED_MTIME, level: 9 },
      ],
      [manifest.bundle]: [enc.encode(bundle), { mtime: FIXED_MTIME, level: 9 }],
    },
    { mtime: FIXED_MTIME },
  );
}

function invalid(rule: string, message: string, details: Record<string, unknown> = {}): AionError {
  return new AionError('package_invalid', message, { rule, ...details });
}

function safeEntryName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    !name.startsWith('/') &&
    !name.includes('\\') &&
    !name.includes('\u0000') &&
    !name.split('/').some((part) => part === '..' || part === '.' || part === '')
  );
}

/** Reads and validates an archive: size and inflate limits, entry names, manifest, integrity. */
export function readArchive(
  bytes: Uint8Array,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): LoadedPackage {
  const files = unzipWithinLimits(bytes, limits);
  const dec = new TextDecoder('utf-8', { fatal: true });
  const manifest = readManifest(files, dec);
  const bundleBytes = files[manifest.bundle];
  if (!bundleBytes)
    throw invalid(
      'entry_points',
      `package archive has no bundle ${manifest.bundle} named by its manifest`,
    );
  if (sha256Hex(bundleBytes) !== manifest.bundleSha256) {
    throw invalid(
      'integrity',
      'package bundle does not match the SHA-256 recorded in its manifest; the archive is corrupt or was altered',
    );
  }
  const version = computeVersion(manifest);
  if (version !== manifest.version) {
    throw invalid(
      'integrity',
      `package version ${manifest.version} does not match its content hash ${version}; the archive is corrupt or was altered`,
    );
  }
  return { manifest, version, bundle: dec.decode(bundleBytes) };
}

/** Inflates the archive, refusing it as soon as its size, entry count, an entry name or the inflated total breaks a limit. */
function unzipWithinLimits(bytes: Uint8Array, limits: ArchiveLimits): Unzipped {
  if (bytes.byteLength > limits.maxArchiveBytes) {
    throw invalid(
      'archive_size',
      `package archive is ${bytes.byteLength} bytes, over the limit of ${limits.maxArchiveBytes}`,
    );
  }
  let files: Unzipped;
  try {
    files = unzipSync(bytes, { filter: entryFilter(limits) });
  } catch (err) {
    if (err instanceof AionError) throw err;
    throw invalid(
      'archive_format',
      `package archive is not a valid zip file: ${(err as Error).message}`,
    );
  }
  // The declared sizes checked by the filter can lie; the inflated bytes cannot.
  let inflated = 0;
  for (const data of Object.values(files)) inflated += data.byteLength;
  if (inflated > limits.maxInflatedBytes) {
    throw invalid(
      'inflated_size',
      `package archive inflates to ${inflated} bytes, over the limit of ${limits.maxInflatedBytes}`,
    );
  }
  return files;
}

/** Checks each entry before it is inflated: entry count, safe name, running total of declared sizes. */
function entryFilter(limits: ArchiveLimits): UnzipFileFilter {
  let entries = 0;
  let declared = 0;
  return (file) => {
    entries++;
    if (entries > limits.maxEntries)
      throw invalid('entry_count', `package archive has more than ${limits.maxEntries} entries`);
    if (!safeEntryName(file.name))
      throw invalid(
        'path_traversal',
        `package archive entry ${JSON.stringify(file.name)} has an unsafe path`,
      );
    declared += file.originalSize;
    if (declared > limits.maxInflatedBytes) {
      throw invalid(
        'inflated_size',
        `package archive inflates to more than ${limits.maxInflatedBytes} bytes`,
      );
    }
    return true;
  };
}

function readManifest(files: Unzipped, dec: InstanceType<typeof TextDecoder>): PackageManifest {
  const manifestBytes = files['manifest.json'];
  if (!manifestBytes) throw invalid('manifest_missing', 'package archive has no manifest.json');
  try {
    return validateManifest(JSON.parse(dec.decode(manifestBytes)));
  } catch (err) {
    if (err instanceof AionError) throw err;
    throw invalid('manifest_shape', `manifest.json is not valid JSON: ${(err as Error).message}`);
  }
}

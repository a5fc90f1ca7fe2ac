// Package archives changed after their build: a bundle whose top level runs away, or a
// manifest that lists other workflow types than the bundle exports. `aion build` would refuse
// them; these are what a hand-made or tampered archive looks like to a deploy.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildPackage,
  computeVersion,
  sha256Hex,
  writeArchive,
  type ManifestWorkflowType,
} from '../../src/package/index.js';

const MARKER = 'AION_TEST_TOP_LEVEL';

/** Workflow source of `type`, whose module exports a marker string that `doctor` can replace. */
export function markedSource(type: string, body = 'await sleep(1);'): string {
  return `import { condition, defineSignal, setHandler, sleep } from 'aion/workflow';
export const topLevel = '${MARKER}';
export async function ${type}(): Promise<string> {
  ${body}
  return topLevel;
}
`;
}

export interface Doctoring {
  /** Code put where the marker is (`module`) or before the whole bundle (`bundle`). */
  readonly code?: string;
  readonly where?: 'module' | 'bundle';
  /** Replaces the manifest's workflow types. */
  readonly workflowTypes?: (types: readonly ManifestWorkflowType[]) => ManifestWorkflowType[];
  readonly body?: string;
}

/** Builds `type` in `dir`, changes it as told, and returns the archive with a matching version. */
export async function doctoredArchive(
  dir: string,
  type: string,
  doctoring: Doctoring = {},
): Promise<{ archive: Uint8Array; version: string }> {
  const file = path.join(dir, `${type}.ts`);
  writeFileSync(file, markedSource(type, doctoring.body));
  const built = await buildPackage({ workflowsPath: file });
  const marked = new RegExp(`(["'])${MARKER}\\1`);
  let bundle = built.bundle;
  if (doctoring.code !== undefined) {
    bundle =
      doctoring.where === 'bundle'
        ? `${doctoring.code};\n${bundle}`
        : bundle.replace(marked, doctoring.code);
  }
  const workflowTypes = doctoring.workflowTypes
    ? doctoring.workflowTypes(built.manifest.workflowTypes)
    : built.manifest.workflowTypes;
  const base = {
    formatVersion: built.manifest.formatVersion,
    protocolVersion: built.manifest.protocolVersion,
    workflowTypes,
    bundleSha256: sha256Hex(bundle),
  };
  const version = computeVersion(base);
  return { archive: writeArchive({ ...built.manifest, ...base, version }, bundle), version };
}

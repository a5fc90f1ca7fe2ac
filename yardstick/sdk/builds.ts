// Builds every Temporal test workflow file as its own Aion workflow package.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildPackage } from '../../src/index.js';

/** Files of `workflows/` that are not workflow modules, so not counted. */
export const NOT_WORKFLOW_MODULES: readonly string[] = [
  'index.ts', // re-exports every other file
  'definitions.ts', // signal and query definitions only
  'preload-shared-counter-helper.ts', // a helper module
];

export interface BuildLine {
  readonly kind: 'build';
  readonly file: string;
  readonly ok: boolean;
  readonly types?: readonly string[];
  readonly code?: string;
  readonly error?: string;
}

/** The workflow files to build, sorted. */
export function workflowFiles(workflowsDir: string): string[] {
  return readdirSync(workflowsDir)
    .filter((f) => f.endsWith('.ts') && !NOT_WORKFLOW_MODULES.includes(f))
    .sort();
}

export async function buildOne(workflowsDir: string, file: string): Promise<BuildLine> {
  try {
    const built = await buildPackage({ workflowsPath: path.join(workflowsDir, file) });
    const types = built.manifest.workflowTypes.map((t) => t.name);
    return { kind: 'build', file, ok: true, types };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const error = String(e.message ?? err)
      .replaceAll(`${workflowsDir}/`, '')
      .slice(0, 600);
    return { kind: 'build', file, ok: false, ...(e.code ? { code: e.code } : {}), error };
  }
}

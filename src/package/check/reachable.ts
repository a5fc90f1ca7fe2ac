// The files `aion check` scans: the import graph from the workflow entry, resolved by
// esbuild exactly as `aion build` bundles it, with forbidden imports left external.
import path from 'node:path';
import * as esbuild from 'esbuild';
import { importRule } from './rules.js';
import { isNodeShimFile, nodeShimPath } from '../node-shims/index.js';
import { WORKFLOW_RESOLUTION } from '../build-service.js';

const SOURCE_EXT = /\.(?:[cm]?[jt]sx?)$/;

export interface UnresolvedImport {
  readonly importer: string;
  readonly spec: string;
  readonly text: string;
}

/** Resolves the import graph from the workflow entry, as `aion build` does, without failing on forbidden imports. */
export async function reachableFiles(
  entryFile: string,
): Promise<{ files: string[]; unresolved: UnresolvedImport[] }> {
  const unresolved: UnresolvedImport[] = [];
  const plugin: esbuild.Plugin = {
    name: 'aion-check',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const spec = args.path;
        if (spec === 'aion/workflow' || importRule(spec)) return { path: spec, external: true };
        const shim = nodeShimPath(spec);
        return shim !== undefined ? { path: shim } : undefined;
      });
    },
  };
  try {
    const result = await esbuild.build({
      entryPoints: [entryFile],
      absWorkingDir: path.dirname(entryFile),
      bundle: true,
      write: false,
      metafile: true,
      format: 'cjs',
      ...WORKFLOW_RESOLUTION,
      logLevel: 'silent',
      plugins: [plugin],
    });
    const base = path.dirname(entryFile);
    return {
      files: Object.keys(result.metafile.inputs)
        .filter((f) => SOURCE_EXT.test(f))
        .map((f) => path.resolve(base, f))
        .filter((f) => !isNodeShimFile(f)),
      unresolved,
    };
  } catch (err) {
    // Unresolvable imports or syntax errors: report them and scan the entry alone.
    for (const m of (err as { errors?: esbuild.Message[] }).errors ?? []) {
      unresolved.push({
        importer: m.location?.file ? path.resolve(path.dirname(entryFile), m.location.file) : '',
        spec: m.location?.lineText ?? '',
        text: m.location ? `${m.text} (line ${m.location.line})` : m.text,
      });
    }
    return { files: [entryFile], unresolved };
  }
}

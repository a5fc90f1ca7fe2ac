// Import names checked at build time: workflow code that imports a name `aion/workflow` (or a
// Node built-in shim) does not export would otherwise bundle, load, and fail every run with
// "x is not a function". Both `aion build` and `aion check` resolve `aion/workflow` to a stub
// module with exactly the runtime's value exports, so esbuild reports every unknown name.
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as esbuild from 'esbuild';
import { esbuildBuild, WORKFLOW_RESOLUTION } from './build-service.js';
import { nodeShimPath } from './node-shims/index.js';

const STUB_NAMESPACE = 'aion-workflow-api';

/** One imported name the module does not export. */
export interface UnknownImport {
  /** The imported name, e.g. `proxySinks`. */
  readonly name: string;
  /** The module it was imported from, e.g. `aion/workflow` or `util`. */
  readonly module: string;
  /** The importing file (as esbuild names it, relative to the entry's directory) and line. */
  readonly file: string;
  readonly line: number;
}

let apiExports: Promise<readonly string[]> | undefined;

/** The value exports of `aion/workflow` as this Aion ships it (computed once per process). */
export function workflowApiExports(): Promise<readonly string[]> {
  apiExports ??= (async () => {
    const dir = fileURLToPath(new URL('../workflow/', import.meta.url));
    const entry = path.join(dir, existsSync(path.join(dir, 'index.ts')) ? 'index.ts' : 'index.js');
    const result = await esbuildBuild({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'neutral',
      outfile: 'api.js',
      logLevel: 'silent',
    });
    return Object.values(result.metafile.outputs)
      .flatMap((o) => o.exports)
      .sort();
  })();
  return apiExports;
}

const BUILTINS = new Set(builtinModules);

/**
 * Resolves `aion/workflow` to a stub exporting exactly `names` and Node built-ins to their
 * shims (for name checking only); other built-ins and `aion` entries are left external (the
 * build and the check refuse those on their own).
 */
function workflowApiStubPlugin(names: readonly string[]): esbuild.Plugin {
  return {
    name: 'aion-workflow-api-stub',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const spec = args.path;
        if (spec === 'aion/workflow') return { path: spec, namespace: STUB_NAMESPACE };
        const shim = nodeShimPath(spec);
        if (shim !== undefined) return { path: shim };
        const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
        if (spec.startsWith('node:') || BUILTINS.has(bare) || BUILTINS.has(bare.split('/')[0]!))
          return { path: spec, external: true };
        if (spec === 'aion' || spec.startsWith('aion/')) return { path: spec, external: true };
        return undefined;
      });
      build.onLoad({ filter: /.*/, namespace: STUB_NAMESPACE }, () => ({
        contents: names.map((n) => `export const ${n} = undefined;`).join('\n'),
        loader: 'js',
      }));
    },
  };
}

const NO_MATCH = /^No matching export in "(?:[\w-]+:)?([^"]+)" for import "([^"]+)"$/;
const ALWAYS_UNDEFINED =
  /^Import "([^"]+)" will always be undefined because there is no matching export in "(?:[\w-]+:)?([^"]+)"$/;

/** A shim's file path back to the specifier users write (`…/node-shims/util.ts` → `util`). */
function moduleName(file: string): string {
  if (file === 'aion/workflow') return file;
  const base = path.basename(file).replace(/\.[jt]s$/, '');
  return file.includes('node-shims') ? base.replace('-', '/') : file;
}

/** The unknown-name imports among esbuild's messages (errors and warnings). */
function unknownImports(messages: readonly esbuild.Message[]): UnknownImport[] {
  const out: UnknownImport[] = [];
  for (const m of messages) {
    const a = NO_MATCH.exec(m.text);
    const b = a ? undefined : ALWAYS_UNDEFINED.exec(m.text);
    const [name, module] = a ? [a[2]!, a[1]!] : b ? [b[1]!, b[2]!] : [undefined, undefined];
    if (name === undefined || module === undefined) continue;
    if (module !== 'aion/workflow' && !module.includes('node-shims')) continue;
    out.push({
      name,
      module: moduleName(module),
      file: m.location?.file ?? '',
      line: m.location?.line ?? 1,
    });
  }
  return out;
}

/**
 * The names workflow code reachable from `entryFile` imports from `aion/workflow` or a Node
 * built-in shim that those do not export (bundled as `aion build` bundles, nothing written).
 * Other problems (unresolvable files, syntax errors) are left to the caller's own build.
 */
export async function findUnknownImports(entryFile: string): Promise<UnknownImport[]> {
  let messages: esbuild.Message[];
  try {
    const result = await esbuildBuild({
      entryPoints: [entryFile],
      absWorkingDir: path.dirname(entryFile),
      bundle: true,
      write: false,
      format: 'esm',
      ...WORKFLOW_RESOLUTION,
      target: 'es2022',
      logLevel: 'silent',
      plugins: [workflowApiStubPlugin(await workflowApiExports())],
    });
    messages = result.warnings;
  } catch (err) {
    const failure = err as { errors?: esbuild.Message[]; warnings?: esbuild.Message[] };
    messages = [...(failure.errors ?? []), ...(failure.warnings ?? [])];
  }
  return unknownImports(messages);
}

/** What a finding or error says about one unknown import. */
export function describeUnknownImport(u: UnknownImport): string {
  const what =
    u.module === 'aion/workflow'
      ? "'aion/workflow' does not export it"
      : `the workflow shim of Node's '${u.module}' does not provide it`;
  return `imports ${JSON.stringify(u.name)} from '${u.module}', but ${what}`;
}

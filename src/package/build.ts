import { existsSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ACTIVATION_PROTOCOL_VERSION, AionError } from '../core/index.js';
import { writeArchive } from './archive.js';
import {
  computeVersion,
  PACKAGE_FORMAT_VERSION,
  sha256Hex,
  shortVersion,
  type PackageManifest,
} from './manifest.js';
import { inspectBundle } from './inspect.js';

export interface BuildOptions {
  /** The workflow module (a file), or a directory holding `index.ts`/`workflows.ts`. */
  readonly workflowsPath: string;
  /** Package name. Default: the workflow file's name without extension. */
  readonly name?: string;
  /** Activity names the workflows use (recorded in the manifest for tooling). */
  readonly activities?: readonly string[];
}

export interface BuiltPackage {
  readonly manifest: PackageManifest;
  readonly version: string;
  readonly bundle: string;
  readonly archive: Uint8Array;
  /** Suggested file name: `<name>-<short hash>.aion`. */
  readonly fileName: string;
}

const HOST_ENTRIES = new Set([
  'aion',
  'aion/activity',
  'aion/client',
  'aion/worker',
  'aion/server',
  'aion/testing',
  'aion/store/sqlite',
  'aion/store/postgres',
]);
const BUILTINS = new Set(builtinModules);

/** Directory of the workflow runtime this Aion ships (source when run from source). */
function workflowRuntimeDir(): { dir: string; ext: string } {
  const dir = fileURLToPath(new URL('../workflow/', import.meta.url));
  return existsSync(path.join(dir, 'index.ts')) ? { dir, ext: '.ts' } : { dir, ext: '.js' };
}

export function resolveWorkflowsPath(workflowsPath: string): string {
  const abs = path.resolve(workflowsPath);
  if (!existsSync(abs)) {
    throw new AionError(
      'invalid_argument',
      `workflowsPath ${JSON.stringify(workflowsPath)} does not exist`,
      { field: 'workflowsPath' },
    );
  }
  if (statSync(abs).isDirectory()) {
    for (const candidate of ['index.ts', 'workflows.ts', 'index.js', 'workflows.js']) {
      const file = path.join(abs, candidate);
      if (existsSync(file)) return file;
    }
    throw new AionError(
      'invalid_argument',
      `workflowsPath ${JSON.stringify(workflowsPath)} is a directory without index.ts or workflows.ts`,
      {
        field: 'workflowsPath',
      },
    );
  }
  return abs;
}

function guardPlugin(runtime: { dir: string; ext: string }): esbuild.Plugin {
  return {
    name: 'aion-workflow-guard',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const spec = args.path;
        if (spec === 'aion/workflow')
          return { path: path.join(runtime.dir, `index${runtime.ext}`) };
        if (spec === 'aion/workflow/runtime-entry')
          return { path: path.join(runtime.dir, `runtime-entry${runtime.ext}`) };
        const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
        if (spec.startsWith('node:') || BUILTINS.has(bare) || BUILTINS.has(bare.split('/')[0]!)) {
          return {
            errors: [
              {
                text: `workflow code imports ${JSON.stringify(spec)}${args.importer ? ` (in ${path.relative(process.cwd(), args.importer)})` : ''}: Node built-in modules are not available in workflows, which must be deterministic — move this code into an activity`,
              },
            ],
          };
        }
        if (HOST_ENTRIES.has(spec) || spec.startsWith('aion/store/')) {
          return {
            errors: [
              {
                text: `workflow code imports ${JSON.stringify(spec)}${args.importer ? ` (in ${path.relative(process.cwd(), args.importer)})` : ''}: only 'aion/workflow' may be imported by workflows (use 'import type' for activity types)`,
              },
            ],
          };
        }
        return undefined;
      });
    },
  };
}

/** Bundles workflow code with the `aion/workflow` runtime into a self-contained package. */
export async function buildPackage(options: BuildOptions): Promise<BuiltPackage> {
  const entryFile = resolveWorkflowsPath(options.workflowsPath);
  const runtime = workflowRuntimeDir();
  const resolveDir = path.dirname(entryFile);
  const importPath = `./${path.basename(entryFile)}`;
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    result = await esbuild.build({
      stdin: {
        contents: `import * as workflows from ${JSON.stringify(importPath)};\nexport { workflows };\nexport { createActivator, ACTIVATION_PROTOCOL_VERSION } from 'aion/workflow/runtime-entry';\n`,
        resolveDir,
        sourcefile: '<aion-package-entry>',
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['workflow', 'import', 'default'],
      target: 'es2022',
      keepNames: true,
      minify: false,
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'silent',
      absWorkingDir: resolveDir,
      plugins: [guardPlugin(runtime)],
    });
  } catch (err) {
    const failure = err as { errors?: esbuild.Message[] };
    const messages = (failure.errors ?? []).map((m) =>
      m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text,
    );
    throw new AionError(
      'package_build_failed',
      `cannot build workflow package from ${entryFile}: ${messages.join('; ') || (err as Error).message}`,
      {
        errors: messages,
      },
    );
  }
  const bundle = result.outputFiles[0]!.text;
  const inspected = await inspectBundle(bundle);
  if (inspected.workflowTypes.length === 0) {
    throw new AionError(
      'package_build_failed',
      `${entryFile} exports no workflow functions; export each workflow as a named async function`,
      {},
    );
  }
  const name = options.name ?? path.basename(entryFile).replace(/\.[cm]?[jt]sx?$/, '');
  const base = {
    formatVersion: PACKAGE_FORMAT_VERSION,
    protocolVersion: ACTIVATION_PROTOCOL_VERSION,
    workflowTypes: inspected.workflowTypes.map((t) => ({ name: t, entry: t })),
    bundleSha256: sha256Hex(bundle),
  };
  const version = computeVersion(base);
  const manifest: PackageManifest = {
    ...base,
    name,
    activities: [...(options.activities ?? [])].sort(),
    bundle: 'bundle.js',
    version,
  };
  return {
    manifest,
    version,
    bundle,
    archive: writeArchive(manifest, bundle),
    fileName: `${name}-${shortVersion(version)}.aion`,
  };
}

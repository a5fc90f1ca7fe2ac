import { existsSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as esbuild from 'esbuild';
import { esbuildBuild, WORKFLOW_RESOLUTION } from './build-service.js';
import {
  ACTIVATION_PROTOCOL_VERSION,
  AionError,
  parseDuration,
  type Duration,
} from '../core/index.js';
import { writeArchive } from './archive.js';
import {
  computeVersion,
  PACKAGE_FORMAT_VERSION,
  sha256Hex,
  shortVersion,
  type PackageManifest,
  type WorkflowTypeDefaults,
} from './manifest.js';
import { inspectBundle } from './inspect.js';
import { checkWorkflowTypeNames } from './deploy-check.js';
import { plainExports } from './entry-exports.js';
import { nodeShimPath } from './node-shims/index.js';
import { describeUnknownImport, findUnknownImports } from './workflow-imports.js';

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

function guardPlugin(): esbuild.Plugin {
  return {
    name: 'aion-workflow-guard',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const spec = args.path;
        // Provided per run by the package's runtime section.
        if (spec === 'aion/workflow') return { path: spec, external: true };
        // assert, url, util: deterministic shims bundled into the package.
        const shim = nodeShimPath(spec);
        if (shim !== undefined) return { path: shim };
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

/**
 * Reads the module's optional `workflowDefaults` export:
 * `export const workflowDefaults = { order: { executionTimeout: '7 days', runTimeout: '1 day' } }`.
 * Start options win over these package defaults.
 */
function parseWorkflowDefaults(
  json: string | undefined,
  types: readonly string[],
  entryFile: string,
): Record<string, WorkflowTypeDefaults> {
  if (json === undefined) return {};
  const fail = (message: string): never => {
    throw new AionError('package_build_failed', `workflowDefaults in ${entryFile}: ${message}`, {});
  };
  const raw = JSON.parse(json) as Record<string, unknown>;
  const out: Record<string, WorkflowTypeDefaults> = {};
  for (const [type, value] of Object.entries(raw)) {
    if (!types.includes(type))
      fail(`${JSON.stringify(type)} is not an exported workflow (known: ${types.join(', ')})`);
    if (typeof value !== 'object' || value === null)
      fail(`the entry for ${type} must be an object`);
    const v = value as Record<string, unknown>;
    for (const key of Object.keys(v)) {
      if (key !== 'executionTimeout' && key !== 'runTimeout')
        fail(
          `unknown option ${JSON.stringify(key)} for ${type}; use executionTimeout or runTimeout`,
        );
    }
    const d: { executionTimeoutMs?: number; runTimeoutMs?: number } = {};
    try {
      if (v.executionTimeout !== undefined)
        d.executionTimeoutMs = parseDuration(
          v.executionTimeout as Duration,
          `${type}.executionTimeout`,
        );
      if (v.runTimeout !== undefined)
        d.runTimeoutMs = parseDuration(v.runTimeout as Duration, `${type}.runTimeout`);
    } catch (err) {
      fail((err as Error).message);
    }
    out[type] = d;
  }
  return out;
}

/** Bundles workflow code with the `aion/workflow` runtime into a self-contained package. */
export async function buildPackage(options: BuildOptions): Promise<BuiltPackage> {
  const entryFile = resolveWorkflowsPath(options.workflowsPath);
  const { runtimeCode, userCode } = await compileSections(entryFile);
  const bundle = assembleBundle(runtimeCode, userCode);
  const inspected = await inspectBundle(bundle);
  if (inspected.workflowTypes.length === 0) {
    throw new AionError(
      'package_build_failed',
      `${entryFile} exports no workflow functions; export each workflow as a named async function`,
      {},
    );
  }
  checkWorkflowTypeNames({
    workflowTypes: inspected.workflowTypes.map((t) => ({ name: t, entry: t })),
  });
  const name = options.name ?? path.basename(entryFile).replace(/\.[cm]?[jt]sx?$/, '');
  const defaults = parseWorkflowDefaults(inspected.defaults, inspected.workflowTypes, entryFile);
  const base = {
    formatVersion: PACKAGE_FORMAT_VERSION,
    protocolVersion: ACTIVATION_PROTOCOL_VERSION,
    workflowTypes: inspected.workflowTypes.map((t) => ({
      name: t,
      entry: t,
      ...(defaults[t] ? { defaults: defaults[t] } : {}),
    })),
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

/** Compiles the two sections with esbuild; build errors become one `package_build_failed`. */
async function compileSections(
  entryFile: string,
): Promise<{ runtimeCode: string; userCode: string }> {
  const runtime = workflowRuntimeDir();
  const common = {
    bundle: true,
    write: false as const,
    format: 'cjs' as const,
    ...WORKFLOW_RESOLUTION,
    target: 'es2022',
    // No keepNames: its name-setting helper breaks classes a decorator sealed or froze
    // ("Cannot redefine property: name"). Workflow types are export names, not `fn.name`.
    // Libraries (immer, React-style code) read process.env.NODE_ENV; the sandbox has no
    // process, so the build replaces it with a constant, as Temporal's bundler does.
    define: { 'process.env.NODE_ENV': JSON.stringify('development') },
    minify: false,
    legalComments: 'none' as const,
    charset: 'utf8' as const,
    logLevel: 'silent' as const,
  };
  await refuseUnknownImports(entryFile);
  try {
    // The runtime section: `aion/workflow` with its core, evaluated once per sandbox.
    const runtimeResult = await esbuildBuild({
      ...common,
      entryPoints: [path.join(runtime.dir, `runtime-entry${runtime.ext}`)],
      absWorkingDir: runtime.dir,
    });
    const runtimeCode = runtimeResult.outputFiles[0]!.text;
    // The user section: the workflow module, instantiated once per run.
    const userResult = await esbuildBuild({
      ...common,
      entryPoints: [entryFile],
      absWorkingDir: path.dirname(entryFile),
      plugins: [guardPlugin()],
    });
    return { runtimeCode, userCode: userResult.outputFiles[0]!.text };
  } catch (err) {
    const failure = err as { errors?: esbuild.Message[] };
    const messages = (failure.errors ?? []).map((m) =>
      m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text,
    );
    throw new AionError(
      'package_build_failed',
      `cannot build workflow package from ${entryFile}: ${messages.join('; ') || (err as Error).message}`,
      { errors: messages },
    );
  }
}

/**
 * Fails the build when workflow code imports a name `aion/workflow` (or a Node built-in shim)
 * does not export: without this it would bundle, and every run would fail at that call.
 */
async function refuseUnknownImports(entryFile: string): Promise<void> {
  const unknown = await findUnknownImports(entryFile);
  if (unknown.length === 0) return; // other build errors: the real build reports them
  const lines = unknown.map((u) => `${u.file}:${u.line}: ${describeUnknownImport(u)}`);
  throw new AionError(
    'package_build_failed',
    `cannot build workflow package from ${entryFile}: ${lines.join('; ')}`,
    {
      rule: 'unknown_import',
      errors: lines,
      imports: unknown.map((u) => ({ name: u.name, module: u.module, file: u.file, line: u.line })),
    },
  );
}

/**
 * Built-ins the runtime section reads as parameters of its wrapper rather than as globals: in a
 * `node:vm` context every global lookup goes through the context's interceptor, many times
 * slower than reading a variable, and the runtime reads these on every activation. (The user
 * section reads globals as written: they are the same objects.)
 */
const RUNTIME_BUILTINS =
  'Object, Array, String, Number, Boolean, Symbol, Promise, Map, Set, WeakMap, WeakSet, JSON, Math, Reflect, Proxy, Error, TypeError, RangeError';

/** The package bundle: each section wrapped in a factory the sandbox calls (runtime once, user code per run). */
function assembleBundle(runtimeCode: string, userCode: string): string {
  return [
    '// Aion workflow package bundle: a runtime section (once per sandbox) and a user section (once per run).',
    `globalThis.__aionRuntimeFactory = (function (${RUNTIME_BUILTINS}) { return function () {`,
    'var module = { exports: {} }; var exports = module.exports;',
    runtimeCode,
    'return module.exports;',
    `}; })(${RUNTIME_BUILTINS});`,
    'globalThis.__aionUserFactory = function (require, Date, Math, console, crypto) {',
    'var module = { exports: {} }; var exports = module.exports;',
    plainExports(userCode),
    'return module.exports;',
    '};',
    '',
  ].join('\n');
}

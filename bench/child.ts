// Bench children: a scenario runs in a fresh process (so memory figures and JIT/GC state do not
// leak between scenarios) and reports its figures as one stdout line prefixed by RESULT_PREFIX.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX } from './engine-common.js';
import type { Figures } from './engine-scenarios.js';

/** How a bench process loads code through tsx: bench files as TypeScript, the engine from dist/. */
export const BENCH_IMPORTS: readonly string[] = [
  '--import',
  'tsx',
  '--import',
  fileURLToPath(new URL('./compiled-engine.mjs', import.meta.url)),
];

const BUNDLER = fileURLToPath(new URL('./child-bundle.mjs', import.meta.url));
const BUNDLES = fileURLToPath(new URL('../node_modules/.cache/aion-bench/', import.meta.url));
const bundled = new Map<string, string>();

/**
 * The node arguments that run the bench script `script` (a TypeScript file in bench/): its
 * bundle (child-bundle.mjs: the script and the bench files it imports in one plain module, the
 * engine imported from dist/), built once per process. A child so runs on plain `node`, as a
 * user's compiled program does: tsx's loader thread is not in its memory figures.
 * AION_BENCH_ENGINE=source runs the script and the engine's sources through tsx instead.
 */
export function benchScript(script: string): string[] {
  if (process.env.AION_BENCH_ENGINE === 'source') return [...BENCH_IMPORTS, script];
  let bundle = bundled.get(script);
  if (bundle === undefined) {
    mkdirSync(BUNDLES, { recursive: true });
    bundle = path.join(BUNDLES, `${path.basename(script, '.ts')}.mjs`);
    execFileSync(process.execPath, [BUNDLER, script, bundle], { stdio: 'inherit' });
    statSync(bundle); // fails loudly if the bundler wrote nothing
    bundled.set(script, bundle);
  }
  return [bundle];
}

export interface ChildOptions {
  /** Node flags before the bench's imports (e.g. `--expose-gc`). */
  readonly nodeFlags?: readonly string[];
  /** SIGKILL after this long. Default 240 s. */
  readonly timeoutMs?: number;
}

/** A bench child whose figures arrive before it exits (it may stay up, e.g. to be killed). */
export interface LiveChild {
  readonly child: ChildProcess;
  /** Resolves with the figures as soon as the result line is printed. */
  readonly figures: Promise<Figures>;
  /** Resolves when the process is gone. */
  readonly exited: Promise<void>;
}

/** Starts `node [flags] <script's bundle> ...args` (see benchScript). */
export function startChild(
  script: string,
  args: readonly string[],
  options: ChildOptions = {},
): LiveChild {
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), ...benchScript(script), ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => clearTimeout(timer));
  const figures = new Promise<Figures>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const complete = out.split('\n').slice(0, -1);
      const line = complete.find((l) => l.startsWith(RESULT_PREFIX));
      if (line) resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as Figures);
    });
    child.on('error', reject);
    child.once('close', (code, signal) =>
      reject(new Error(`child ${args.join(' ')} ended with ${signal ?? `code ${code}`}`)),
    );
  });
  return { child, figures, exited };
}

/** Runs a bench child to completion; resolves with its figures if it exits 0. */
export async function runChild(
  script: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<Figures> {
  const live = startChild(script, args, options);
  const figures = await live.figures;
  await live.exited;
  if (live.child.exitCode !== 0)
    throw new Error(
      `child ${args.join(' ')} ended with ${live.child.signalCode ?? `code ${live.child.exitCode}`}`,
    );
  return figures;
}

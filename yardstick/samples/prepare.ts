// Makes the measured copy of the samples: a pristine `git archive` of the counted samples in a
// temporary folder, with only the import specifiers rewritten ('@temporalio/workflow' →
// 'aion/workflow', '@temporalio/activity' → 'aion/activity', '@temporalio/common' and its
// '@temporalio/common/lib/<x>' deep paths → whichever of the two the file belongs to).
// Nothing else of a sample's code changes.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { STUBS } from './stubs.js';

export interface PreparedCopy {
  /** The temporary folder: `<dir>/<sample name>/…`, `<dir>/node_modules`. */
  readonly dir: string;
  /** The samples commit measured. */
  readonly commit: string;
  /** Third-party dependency ranges from the samples' own package.json files. */
  readonly ranges: ReadonlyMap<string, string>;
}

/** Activity-side files: the path names an activity module (or the saga's service clients). */
function isActivityFile(rel: string): boolean {
  return /activit|services\.ts$/.test(rel);
}

function rewrite(file: string, rel: string): void {
  const text = readFileSync(file, 'utf8');
  const common = isActivityFile(rel) ? 'aion/activity' : 'aion/workflow';
  const out = text
    .replace(/(['"])@temporalio\/workflow\1/g, "'aion/workflow'")
    .replace(/(['"])@temporalio\/activity\1/g, "'aion/activity'")
    .replace(/(['"])@temporalio\/common(?:\/lib\/[\w./-]+)?\1/g, `'${common}'`);
  if (out !== text) writeFileSync(file, out);
}

/** Rewrites sources; drops each sample's package.json and tsconfig.json (recording dependency ranges). */
function walk(dir: string, base: string, ranges: Map<string, string>): void {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules') walk(p, base, ranges);
    } else if (name === 'package.json') {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) ranges.set(dep, range);
      rmSync(p);
    } else if (name === 'tsconfig.json') rmSync(p);
    else if (/\.(ts|tsx|js|mjs)$/.test(name)) rewrite(p, path.relative(base, p));
  }
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Extracts the samples from `repo` (a clone or a bare git directory) at HEAD, rewritten. */
export function prepareCopy(repo: string, samples: readonly string[]): PreparedCopy {
  const commit = git(repo, ['rev-parse', 'HEAD']).trim();
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-yardstick-samples-'));
  const ranges = new Map<string, string>();
  try {
    const tar = path.join(dir, 'samples.tar');
    git(repo, ['archive', '--format=tar', '-o', tar, 'HEAD', '--', ...samples]);
    execFileSync('tar', ['-xf', tar, '-C', dir]);
    rmSync(tar);
    walk(dir, dir, ranges);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // No package.json of their own any more: tsx loads the copies as ES modules.
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'aion-yardstick-samples', private: true, type: 'module' }),
  );
  return { dir, commit, ranges };
}

/** The `npm install` line that provides `packages` in the copy (at the samples' own ranges). */
export function installArgs(copy: PreparedCopy, packages: readonly string[]): string[] {
  const specs = packages.map((p) => `${p}@${copy.ranges.get(p) ?? 'latest'}`);
  return ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', copy.dir, ...specs];
}

/** Installs third-party packages into the copy's node_modules (only with `--install`). */
export function installPackages(copy: PreparedCopy, packages: readonly string[]): void {
  if (packages.length === 0) return;
  execFileSync('npm', installArgs(copy, packages), { stdio: ['ignore', 'ignore', 'inherit'] });
}

export function hasPackage(copy: PreparedCopy, name: string): boolean {
  return existsSync(path.join(copy.dir, 'node_modules', name, 'package.json'));
}

/** Writes the endpoint stand-ins (after any install, which would prune them). */
export function writeStubs(copy: PreparedCopy): void {
  for (const [name, files] of Object.entries(STUBS)) {
    const pkg = path.join(copy.dir, 'node_modules', name);
    mkdirSync(pkg, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(pkg, file), text);
  }
}

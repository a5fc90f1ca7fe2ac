// Where the Temporal test workflows come from: `packages/test/src` of an sdk-typescript clone
// (or bare git directory), extracted at its HEAD into a temporary folder, with only the SDK
// import specifiers rewritten to Aion's.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ENV = 'AION_YARDSTICK_SDK';
export const HOW_TO_GET =
  `pass --repo <dir> or set ${REPO_ENV} to a clone of Temporal's TypeScript SDK ` +
  '(git clone https://github.com/temporalio/sdk-typescript); a bare git directory works too';

export interface Extracted {
  /** `packages/test/src` in the temporary folder. */
  readonly testSrc: string;
  /** The commit the files come from. */
  readonly commit: string;
}

function git(repo: string, args: readonly string[]): Buffer {
  const r = spawnSync('git', ['-C', repo, ...args], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${repo}: ${String(r.stderr)}`);
  return r.stdout;
}

/** Extracts `packages/test/src` of `repo`'s HEAD into a fresh temporary folder. */
export function extract(repo: string): Extracted {
  if (!existsSync(repo)) throw new Error(`${repo} does not exist; ${HOW_TO_GET}`);
  const commit = git(repo, ['rev-parse', 'HEAD']).toString().trim();
  const tar = git(repo, ['archive', '--format=tar', 'HEAD', 'packages/test/src']);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aion-yardstick-sdk-'));
  const r = spawnSync('tar', ['-x', '-C', dir], { input: tar });
  if (r.status !== 0) throw new Error(`tar -x into ${dir}: ${String(r.stderr)}`);
  const testSrc = path.join(dir, 'packages', 'test', 'src');
  rewriteTree(testSrc, testSrc);
  return { testSrc, commit };
}

/**
 * The method's only change to Temporal's code: `@temporalio/workflow` → `aion/workflow`,
 * `@temporalio/activity` → `aion/activity`, and `@temporalio/common` and its deep paths
 * (`@temporalio/common/lib/encoding`, `…/lib/type-helpers`, any `…/lib/<x>`) → `aion/workflow`
 * in workflow code (`aion/activity` in activity code). Deep paths of the other packages are
 * left as they are.
 */
export function rewriteImports(text: string, activityCode: boolean): string {
  const common = activityCode ? 'aion/activity' : 'aion/workflow';
  return text
    .replace(/(['"])@temporalio\/workflow\1/g, "'aion/workflow'")
    .replace(/(['"])@temporalio\/activity\1/g, "'aion/activity'")
    .replace(/(['"])@temporalio\/common(?:\/lib\/[\w./-]+)?\1/g, `'${common}'`);
}

function rewriteTree(root: string, dir: string): void {
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) {
      rewriteTree(root, file);
      continue;
    }
    if (!/\.[cm]?[jt]sx?$/.test(entry)) continue;
    const rel = path.relative(root, file);
    const activityCode =
      rel.startsWith('activities') || (/activit/.test(entry) && !rel.startsWith('workflows'));
    writeFileSync(file, rewriteImports(readFileSync(file, 'utf8'), activityCode));
  }
}

/**
 * The docs check: every shell block of README.md and docs/*.md runs, so the documentation
 * cannot drift from what the code does. Markers before a block choose how it runs (see
 * shell-blocks.ts and CONTRIBUTING.md). Each block runs with bash in a fresh directory that
 * looks like a clone of this checkout (its top-level entries linked in, no data directory,
 * no dist/), with `aion` on PATH resolving to this checkout's bin/aion.js. It needs the
 * built CLI (`npm run build`).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ProcessGroup, waitReady, type Finished } from './processes.js';
import { commandLines, shellBlocks, type ShellBlock } from './shell-blocks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(root, 'bin', 'aion.js');

/** The Markdown files whose shell blocks are checked. */
const FILES = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

// Deadlines, not expectations: generous, for a loaded machine.
const BLOCK_DEADLINE_MS = 180_000;
const READY_DEADLINE_MS = 90_000;
const STOP_GRACE_MS = 30_000;
const TEST_TIMEOUT_MS = 360_000;

let scratch = '';
let shims = '';

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist', 'cli', 'main.js')))
    throw new Error('the docs check runs the built CLI (bin/aion.js): run `npm run build` first');
  scratch = mkdtempSync(path.join(tmpdir(), 'aion-docs-'));
  shims = path.join(scratch, 'bin');
  mkdirSync(shims);
  writeFileSync(path.join(shims, 'aion'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`, {
    mode: 0o755,
  });
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A fresh directory that looks like a clone: the checkout's top-level entries, no data. */
function workspace(): string {
  const dir = mkdtempSync(path.join(scratch, 'ws-'));
  for (const entry of readdirSync(root)) {
    // dist/ stays out so that a block writing under dist/ cannot touch the real build.
    if (entry.startsWith('.') || entry === 'dist') continue;
    symlinkSync(path.join(root, entry), path.join(dir, entry));
  }
  return dir;
}

/** The caller's environment without Aion settings, with the `aion` shim first on PATH. */
function blockEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AION_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return {
    ...env,
    PATH: `${shims}${path.delimiter}${process.env.PATH ?? ''}`,
    NO_COLOR: '1',
    ...extra,
  };
}

function describeEnd(finished: Finished): string {
  if (finished.timedOut) return `did not finish within ${BLOCK_DEADLINE_MS / 1000} s (killed)`;
  if (finished.code !== undefined) return `exit status ${finished.code}`;
  return `ended by ${finished.signal ?? 'an unknown signal'}`;
}

function report(
  block: ShellBlock,
  what: string,
  output: { stdout: string; stderr: string },
  server?: { stdout: string; stderr: string },
): string {
  return [
    `${block.file}:${block.line}: ${what}`,
    '--- block ---',
    block.code.trimEnd(),
    '--- stdout ---',
    output.stdout.trimEnd(),
    '--- stderr ---',
    output.stderr.trimEnd(),
    ...(server ? ['--- server output ---', `${server.stdout}${server.stderr}`.trimEnd()] : []),
  ].join('\n');
}

async function runScript(
  block: ShellBlock,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Finished> {
  const shell = new ProcessGroup(
    'bash',
    ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', block.code],
    { cwd, env },
  );
  return shell.finish(BLOCK_DEADLINE_MS);
}

/** A block without marker: bash in a fresh directory. */
async function runPlain(block: ShellBlock): Promise<void> {
  const finished = await runScript(block, workspace(), blockEnv());
  if (finished.code !== 0) throw new Error(report(block, describeEnd(finished), finished));
}

/** `docs-check: server`: the block runs against `aion server --examples --no-auth` in its directory. */
async function runAgainstServer(block: ShellBlock): Promise<void> {
  const cwd = workspace();
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const server = new ProcessGroup(
    process.execPath,
    [bin, 'server', '--examples', '--no-auth', '--port', String(port), '--log-level', 'warn'],
    { cwd, env: blockEnv() },
  );
  try {
    if (!(await waitReady(address, server, READY_DEADLINE_MS))) {
      throw new Error(
        report(block, `the check's server did not become ready on ${address}`, server.output()),
      );
    }
    const finished = await runScript(block, cwd, blockEnv({ AION_ADDRESS: address }));
    if (finished.code !== 0)
      throw new Error(report(block, describeEnd(finished), finished, server.output()));
  } finally {
    await server.stop(STOP_GRACE_MS);
  }
}

/**
 * `docs-check: long-running`: each command line starts a server, one after the other in the
 * same directory; each must become ready on `$AION_PORT` and exit 0 when stopped.
 */
async function runLongRunning(block: ShellBlock): Promise<void> {
  const cwd = workspace();
  const lines = commandLines(block.code);
  expect(lines.length, `${block.file}:${block.line} has no command`).toBeGreaterThan(0);
  for (const line of lines) {
    const port = await freePort();
    const server = new ProcessGroup('bash', ['--noprofile', '--norc', '-c', `exec ${line}`], {
      cwd,
      env: blockEnv({ AION_PORT: String(port) }),
    });
    const ready = await waitReady(`http://127.0.0.1:${port}`, server, READY_DEADLINE_MS);
    const finished = await server.stop(STOP_GRACE_MS);
    if (!ready) {
      throw new Error(
        report(
          block,
          `\`${line}\` did not become ready on $AION_PORT (${describeEnd(finished)})`,
          finished,
        ),
      );
    }
    if (finished.code !== 0) {
      throw new Error(
        report(
          block,
          `\`${line}\` did not exit with status 0 when stopped (${describeEnd(finished)})`,
          finished,
        ),
      );
    }
  }
}

async function check(block: ShellBlock): Promise<void> {
  if (block.problems.length > 0)
    throw new Error(report(block, block.problems.join('; '), { stdout: '', stderr: '' }));
  switch (block.mode) {
    case 'run':
      return runPlain(block);
    case 'server':
      return runAgainstServer(block);
    case 'long-running':
      return runLongRunning(block);
    case 'not-runnable':
      return;
  }
}

describe('docs check', () => {
  for (const file of FILES) {
    const { blocks, strayMarkers } = shellBlocks(file, readFileSync(path.join(root, file), 'utf8'));
    describe(file, () => {
      it('every marker precedes a shell block', () => {
        expect(strayMarkers).toEqual([]);
      });
      for (const block of blocks) {
        const name = `${file}:${block.line}`;
        if (block.mode === 'not-runnable' && block.problems.length === 0) {
          it.skip(`${name} — not runnable: ${block.reason}`, () => {});
          continue;
        }
        const label = block.mode === 'run' ? name : `${name} (${block.mode})`;
        it(label, () => check(block), TEST_TIMEOUT_MS);
      }
    });
  }
});

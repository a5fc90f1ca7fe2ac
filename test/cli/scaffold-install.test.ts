import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { capture } from '../support/cli-io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MINUTE = 60_000;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The environment of a user's shell: without what this test runner sets for itself. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST.*|TEST|NODE_ENV)$/.test(k)),
  );
}

/** Runs a command to completion; rejects with its output unless it exits 0. */
function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

describe('aion new, installed as a user installs it', () => {
  it(
    'scaffolds a project that installs from an Aion tarball, type-checks and passes its own test',
    async () => {
      // The tarball is packed from this checkout's build, as `npm pack` ships it.
      expect(existsSync(path.join(root, 'dist', 'index.d.ts')), 'run `npm run build` first').toBe(
        true,
      );
      const d = mkdtempSync(path.join(tmpdir(), 'aion-scaffold-'));
      dir = d;
      // --ignore-scripts: pack the existing build instead of rebuilding it (prepare).
      await run('npm', ['pack', '--ignore-scripts', '--pack-destination', d], root);
      const tarball = readdirSync(d).find((f) => f.endsWith('.tgz'));
      expect(tarball).toBeDefined();

      const io = capture();
      expect(
        await main(['new', 'x', '--dir', d, '--aion', `file:${path.join(d, tarball!)}`], io),
      ).toBe(0);
      const app = path.join(d, 'x');
      const readme = readFileSync(path.join(app, 'README.md'), 'utf8');
      expect(readme).not.toContain('npmjs.com');
      expect(readme).toContain('npm run typecheck');

      // Install scripts are skipped: the type check and the time-skipping test never open
      // SQLite, and compiling better-sqlite3 from source would take minutes.
      await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], app);
      await run('npm', ['run', 'typecheck'], app);
      const tested = await run('npm', ['test'], app);
      expect(tested).toMatch(/2 passed/);
    },
    20 * MINUTE,
  );
});

// The console build the server under test serves at `/` (dist/console of the checkout).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(new URL('../../..', import.meta.url).pathname);
export const consoleDir = path.join(root, 'dist', 'console');

/** The newest modification time of the files under `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const p = path.join(dir, e.name);
    return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
}

/** Builds the console (esbuild, well under a second) unless the build is newer than web/. */
export function buildConsole(): void {
  const index = path.join(consoleDir, 'index.html');
  const sources = Math.max(
    newest(path.join(root, 'web')),
    statSync(path.join(root, 'scripts', 'build-console.mjs')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-console.mjs')], {
    cwd: root,
    stdio: 'pipe',
  });
}

// Where the console's build is: `dist/console` of the Aion package, found by walking up from
// this module to the package.json named `aion` — the same whether the server runs from the
// compiled `dist/server/console/` or from `src/server/console/` (tsx, vitest).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root directory of the Aion package this module belongs to, or undefined. */
export function aionPackageRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = path.dirname(from);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && packageName(manifest) === 'aion') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function packageName(manifest: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** The directory of the console build: `consoleDir` if set, else the package's `dist/console`. */
export function consoleDirectory(consoleDir: string | undefined): string | undefined {
  if (consoleDir !== undefined) return path.resolve(consoleDir);
  const root = aionPackageRoot();
  return root === undefined ? undefined : path.join(root, 'dist', 'console');
}

// Where the running Aion is installed and which version it is (for `--version`, start
// lines and the `aion` dependency of scaffolded projects).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Root directory of the running Aion installation (holds its package.json). */
export function aionRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

/** The version in the installation's package.json. */
export function aionVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

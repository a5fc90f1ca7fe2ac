// The Node built-ins workflow code may import: each specifier resolves at build time to a
// deterministic shim bundled into the package (the others stay refused). These follow the
// modules Temporal's workflow bundler allows (assert, url, util), as pure JavaScript.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SHIMS: Readonly<Record<string, string>> = {
  assert: 'assert',
  'assert/strict': 'assert-strict',
  url: 'url',
  util: 'util',
};

/** The built-in module names workflow code may import (with or without `node:`). */
export const SHIMMED_BUILTINS: readonly string[] = Object.keys(SHIMS);

/** The shim file a workflow import of `spec` resolves to, or undefined when it is not shimmed. */
export function nodeShimPath(spec: string): string | undefined {
  const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
  const file = SHIMS[bare];
  if (file === undefined) return undefined;
  // Source files when run from source (tests), compiled ones from dist.
  const ts = fileURLToPath(new URL(`./${file}.ts`, import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL(`./${file}.js`, import.meta.url));
}

/** True for a file that is one of the shims (the check does not scan them as user code). */
export function isNodeShimFile(file: string): boolean {
  const dir = fileURLToPath(new URL('./', import.meta.url));
  return file.startsWith(dir);
}

// Module resolution hook of bench/compiled-engine.mjs: src/**/*.ts -> dist/**/*.js. Refuses a
// dist/ that misses a module of src/ or holds one older than its source (run `npm run build`).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = new URL('../src/', import.meta.url).href;
const DIST = new URL('../dist/', import.meta.url).href;

const modified = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

/** What a bench says when dist/ misses or holds a stale build of `src/${stale}`. */
export function staleDistMessage(stale) {
  return (
    `bench: dist/ does not hold a current build of src/${stale}; run \`npm run build\` ` +
    '(or set AION_BENCH_ENGINE=source to measure the TypeScript sources)'
  );
}

/** The first source module whose compiled module is missing or stale, if any. */
export function staleModule() {
  const srcDir = fileURLToPath(SRC);
  const distDir = fileURLToPath(DIST);
  for (const entry of readdirSync(srcDir, { recursive: true })) {
    const rel = String(entry);
    if (!rel.endsWith('.ts') || rel.endsWith('.test.ts') || rel.endsWith('.d.ts')) continue;
    const built = modified(path.join(distDir, `${rel.slice(0, -'.ts'.length)}.js`));
    if (built === undefined || built < (modified(path.join(srcDir, rel)) ?? 0)) return rel;
  }
  return undefined;
}

let checked = false;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (!resolved.url.startsWith(SRC) || !resolved.url.endsWith('.ts')) return resolved;
  if (!checked) {
    const stale = staleModule();
    if (stale !== undefined) throw new Error(staleDistMessage(stale));
    checked = true;
  }
  return {
    url: `${DIST}${resolved.url.slice(SRC.length, -'.ts'.length)}.js`,
    format: 'module',
    shortCircuit: true,
  };
}

// Bundles a bench child script (TypeScript, in bench/) into one plain ES module that imports the
// engine from dist/, so a bench child runs on plain `node`: no tsx, whose module loader runs
// on a thread of its own and added ~45 MiB to every child's RSS (and its start-up to the
// figures' process). The engine is not bundled: every import that resolves into src/ becomes
// an import of the same module in dist/ (what compiled-engine.mjs does for tsx-run files), and
// packages stay external. Usage: node bench/child-bundle.mjs <script.ts> <out.mjs>
import { renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { staleDistMessage, staleModule } from './compiled-engine-hooks.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = path.join(ROOT, 'src') + path.sep;
const DIST = path.join(ROOT, 'dist') + path.sep;

const [script, out] = process.argv.slice(2);
if (!script || !out) {
  process.stderr.write('usage: node bench/child-bundle.mjs <script.ts> <out.mjs>\n');
  process.exit(2);
}
const stale = staleModule();
if (stale !== undefined) {
  process.stderr.write(`${staleDistMessage(stale)}\n`);
  process.exit(1);
}

/** src/**\/*.ts -> dist/**\/*.js, external. */
const compiledEngine = {
  name: 'compiled-engine',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'inner' || args.kind === 'entry-point') return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'inner',
      });
      if (resolved.errors.length > 0 || !resolved.path.startsWith(SRC)) return undefined;
      const rel = resolved.path.slice(SRC.length).replace(/\.ts$/, '.js');
      return { path: pathToFileURL(DIST + rel).href, external: true };
    });
  },
};

const tmp = `${out}.${process.pid}.tmp`;
await build({
  entryPoints: [script],
  outfile: tmp,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'error',
  // Every bench script lives in bench/: relative URLs (workflow files, sibling scripts) resolve
  // as from the script itself although the bundle lives elsewhere.
  define: { 'import.meta.url': JSON.stringify(pathToFileURL(script).href) },
  plugins: [compiledEngine],
});
renameSync(tmp, out); // atomic: a concurrent bench never runs a half-written bundle

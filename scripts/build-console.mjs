// Builds the ops console (web/) into dist/console: one minified script and one stylesheet with
// content-hashed names, and index.html referencing them. Run by `npm run build`.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'dist', 'console');
// Built beside the target, then swapped in: a server starting meanwhile reads the old build
// or none, never half of one.
const outdir = `${target}.tmp-${process.pid}`;
const started = performance.now();

rmSync(outdir, { recursive: true, force: true });
mkdirSync(path.join(outdir, 'assets'), { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'web/src/main.tsx' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: path.join(outdir, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) =>
  path.relative(outdir, path.resolve(root, p)),
);
const script = outputs.find((p) => p.endsWith('.js'));
const style = outputs.find((p) => p.endsWith('.css'));
if (!script || !style)
  throw new Error(`console build produced no script or stylesheet: ${outputs.join(', ')}`);

const template = readFileSync(path.join(root, 'web', 'index.html'), 'utf8');
const html = template
  .replace('<!-- styles -->', `<link rel="stylesheet" href="/${style.split(path.sep).join('/')}">`)
  .replace(
    '<!-- script -->',
    `<script type="module" src="/${script.split(path.sep).join('/')}"></script>`,
  );
writeFileSync(path.join(outdir, 'index.html'), html);
rmSync(target, { recursive: true, force: true });
renameSync(outdir, target);

const size = (p) => result.metafile.outputs[path.relative(root, path.join(outdir, p))]?.bytes ?? 0;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `console: dist/console (${script} ${kb(size(script))}, ${style} ${kb(size(style))}) in ${Math.round(performance.now() - started)} ms`,
);

// Builds the ops console (web/) into dist/console: one minified script and one stylesheet with
// content-hashed names, and index.html referencing them; beside each file its brotli (`.br`)
// and gzip (`.gz`) forms, which the server sends to clients that accept them. Run by
// `npm run build`.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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

/** Writes `file.br` and `file.gz` at the highest levels (once per build); returns their sizes. */
function precompress(file) {
  const body = readFileSync(file);
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(`${file}.br`, br);
  writeFileSync(`${file}.gz`, gz);
  return { br: br.length, gz: gz.length };
}
const packed = ['index.html', ...outputs].map((p) => precompress(path.join(outdir, p)));
rmSync(target, { recursive: true, force: true });
renameSync(outdir, target);

const size = (p) => result.metafile.outputs[path.relative(root, path.join(outdir, p))]?.bytes ?? 0;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const total = (k) => packed.reduce((n, p) => n + p[k], 0);
console.log(
  `console: dist/console (${script} ${kb(size(script))}, ${style} ${kb(size(style))}; brotli ${kb(total('br'))}, gzip ${kb(total('gz'))} in all) in ${Math.round(performance.now() - started)} ms`,
);

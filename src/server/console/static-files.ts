// The console build as a map of the few files it has (index.html and its hashed assets),
// read once at start. A hand-written map over a static-file plugin: the console is a handful
// of small files whose exact URLs are known, so a lookup cannot leave the directory (no path
// is ever joined from a URL), each answer carries precomputed headers, and no dependency is
// needed. A rebuilt console is served after a restart.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

/** Content codings a build may hold precompressed beside a file (`app.js.br`, `app.js.gz`). */
export type Coding = 'br' | 'gzip';

/** A file's bytes in one coding, with the entity tag of those bytes. */
export interface EncodedFile {
  readonly body: Buffer;
  readonly etag: string;
}

/** One file as served: its bytes, content type and entity tag, and precompressed forms. */
export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  /** The codings found beside the file (and checked to decode to it). */
  readonly encoded: Readonly<Partial<Record<Coding, EncodedFile>>>;
}

/** The suffix of each coding's file, and how to check it. */
const CODINGS: readonly {
  readonly coding: Coding;
  readonly suffix: string;
  readonly decode: (b: Buffer) => Buffer;
}[] = [
  { coding: 'br', suffix: '.br', decode: brotliDecompressSync },
  { coding: 'gzip', suffix: '.gz', decode: gunzipSync },
];

/** Precompressed forms are files of their own on disk, not assets. */
const isEncodedForm = (name: string): boolean => CODINGS.some((c) => name.endsWith(c.suffix));

/** The console build: `index.html` and the assets by URL path (`/assets/app-1a2b.js`). */
export interface ConsoleFiles {
  readonly dir: string;
  readonly index: StaticFile;
  readonly assets: ReadonlyMap<string, StaticFile>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Files in a build beyond this are not served (a console directory pointed at the wrong place). */
const MAX_ASSETS = 1000;

function staticFile(file: string): StaticFile {
  const body = readFileSync(file);
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  const encoded: Partial<Record<Coding, EncodedFile>> = {};
  for (const { coding, suffix, decode } of CODINGS) {
    const form = readEncodedForm(`${file}${suffix}`, body, decode);
    // Each coding has its own tag: a cache never answers one coding with another's bytes.
    if (form !== undefined) encoded[coding] = { body: form, etag: `"${hash}-${coding}"` };
  }
  return {
    body,
    type: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    etag: `"${hash}"`,
    encoded,
  };
}

/**
 * The precompressed form at `file`, if there is one that decodes to `body` and is smaller;
 * a stale or broken one (left from another build) is ignored, never served.
 */
function readEncodedForm(
  file: string,
  body: Buffer,
  decode: (b: Buffer) => Buffer,
): Buffer | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const form = readFileSync(file);
    return form.length < body.length && decode(form).equals(body) ? form : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the build in `dir`; undefined when it has no `index.html` (not built). */
export function readConsoleFiles(dir: string): ConsoleFiles | undefined {
  const indexFile = path.join(dir, 'index.html');
  if (!existsSync(indexFile) || !statSync(indexFile).isFile()) return undefined;
  const assets = new Map<string, StaticFile>();
  const assetDir = path.join(dir, 'assets');
  if (existsSync(assetDir)) {
    for (const entry of readdirSync(assetDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || isEncodedForm(entry.name) || assets.size >= MAX_ASSETS) continue;
      const file = path.join(entry.parentPath, entry.name);
      const rel = path.relative(assetDir, file).split(path.sep).join('/');
      assets.set(`/assets/${rel}`, staticFile(file));
    }
  }
  return { dir, index: staticFile(indexFile), assets };
}

/** The page `/` answers when the console is not built. */
export function missingBuildPage(dir: string | undefined): string {
  const where = dir === undefined ? 'dist/console' : dir;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Aion console not built</title></head>',
    '<body><h1>The Aion console is not built</h1>',
    `<p>This server found no console build in <code>${escapeHtml(where)}</code>.</p>`,
    '<p>Run <code>npm run build</code> in the Aion package, then restart the server.',
    ' The HTTP API under <code>/api/v1</code> works without it.</p>',
    '</body></html>',
    '',
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

// `GET /` (the console's index.html) and `GET /assets/*` (its hashed files), served without
// auth (the app holds no data; it calls the API, which authenticates). Fastify answers HEAD
// for both from the same handlers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AionError } from '../../core/index.js';
import { chooseCoding } from './encoding.js';
import {
  missingBuildPage,
  type Coding,
  type ConsoleFiles,
  type StaticFile,
} from './static-files.js';

/** The console's Content-Security-Policy: only its own scripts, styles and API. */
export const CONSOLE_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

/** index.html is revalidated on every load, so a new build is picked up at once. */
const INDEX_CACHE = 'no-cache';
/** Asset names carry their content hash: a changed file has a new name. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
}

/** Whether `If-None-Match` names `etag` (a list, weak tags, `*`). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

/**
 * Answers with `file` in the best coding the client accepts (its precompressed `.br` or
 * `.gz`), else as it is; every answer varies by `Accept-Encoding` and each coding has its own
 * entity tag.
 */
function send(
  req: FastifyRequest,
  reply: FastifyReply,
  file: StaticFile,
  cacheControl: string,
): FastifyReply {
  const coding = chooseCoding(
    req.headers['accept-encoding'],
    Object.keys(file.encoded) as Coding[],
  );
  const chosen = coding === undefined ? file : file.encoded[coding]!;
  secure(reply)
    .header('cache-control', cacheControl)
    .header('vary', 'Accept-Encoding')
    .header('etag', chosen.etag);
  if (matches(req.headers['if-none-match'], chosen.etag)) return reply.code(304).send();
  if (coding !== undefined) void reply.header('content-encoding', coding);
  return reply.type(file.type).header('content-length', chosen.body.length).send(chosen.body);
}

/** Mounts the console at `/`: the build's files, or a page saying to build it. */
export function consoleRoutes(
  app: FastifyInstance,
  files: ConsoleFiles | undefined,
  dir: string | undefined,
): void {
  const missing = Buffer.from(missingBuildPage(dir), 'utf8');
  app.get('/', (req, reply) => {
    if (files === undefined) {
      return secure(reply)
        .header('cache-control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(missing);
    }
    return send(req, reply, files.index, INDEX_CACHE);
  });
  app.get('/assets/*', (req, reply) => {
    const pathname = req.url.split('?')[0]!;
    const file = files?.assets.get(pathname);
    if (file === undefined) {
      return secure(reply)
        .code(404)
        .send(new AionError('not_found', `no console asset ${pathname}`, {}).toJSON());
    }
    return send(req, reply, file, ASSET_CACHE);
  });
}

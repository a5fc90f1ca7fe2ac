// `GET /` (the console's index.html) and `GET /assets/*` (its hashed files), served without
// auth (the app holds no data; it calls the API, which authenticates). Fastify answers HEAD
// for both from the same handlers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AionError } from '../../core/index.js';
import { missingBuildPage, type ConsoleFiles, type StaticFile } from './static-files.js';

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

function send(
  req: FastifyRequest,
  reply: FastifyReply,
  file: StaticFile,
  cacheControl: string,
): FastifyReply {
  secure(reply).header('cache-control', cacheControl).header('etag', file.etag);
  if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
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

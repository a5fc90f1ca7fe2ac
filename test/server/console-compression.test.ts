// The console's files compressed: a build holding `.br` and `.gz` beside each file is served
// in the best coding the client accepts (q-values honoured), with `Content-Encoding`,
// `Vary: Accept-Encoding`, the coding's own length and entity tag; a build without them, or
// a client accepting neither, gets the files as they are.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { startTestServer, type TestServer } from './helpers.js';

const SCRIPT = Buffer.from(
  Array.from({ length: 400 }, (_, i) => `export const value${i} = "console ${i}";`).join('\n'),
);
const INDEX = Buffer.from(
  `<!doctype html><html><head><script type="module" src="/assets/app-1a.js"></script></head><body>${'<!-- console -->'.repeat(40)}</body></html>`,
);
const CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

let t: TestServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.stop();
  t = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A console build; `precompressed` adds `.br` and `.gz` beside each file, as the build does. */
function build(precompressed: boolean): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-console-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'assets'));
  const files: [string, Buffer][] = [
    ['index.html', INDEX],
    ['assets/app-1a.js', SCRIPT],
  ];
  for (const [name, body] of files) {
    writeFileSync(path.join(dir, name), body);
    if (!precompressed) continue;
    writeFileSync(path.join(dir, `${name}.br`), brotliCompressSync(body));
    writeFileSync(path.join(dir, `${name}.gz`), gzipSync(body));
  }
  return dir;
}

async function serve(dir: string): Promise<TestServer> {
  t = await startTestServer({
    store: () => Promise.resolve(createMemoryStore()),
    config: { consoleDir: dir },
  });
  return t;
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The bytes as transferred (still encoded). */
  readonly raw: Buffer;
}

function get(
  url: string,
  pathname: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: pathname, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, raw: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decoded(a: Answer): Buffer {
  const coding = a.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(a.raw);
  if (coding === 'gzip') return gunzipSync(a.raw);
  return a.raw;
}

describe('precompressed console files', () => {
  it('sends brotli, gzip or the file as it is by Accept-Encoding, each with its own length and tag', async () => {
    const s = await serve(build(true));
    const asset = '/assets/app-1a.js';
    const plain = await get(s.url, asset);
    const br = await get(s.url, asset, { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await get(s.url, asset, { 'accept-encoding': 'gzip' });
    for (const [a, coding] of [
      [plain, undefined],
      [br, 'br'],
      [gz, 'gzip'],
    ] as const) {
      expect(a.status).toBe(200);
      expect(a.headers['content-encoding']).toBe(coding);
      expect(a.headers.vary).toBe('Accept-Encoding');
      expect(Number(a.headers['content-length'])).toBe(a.raw.length);
      expect(decoded(a).equals(SCRIPT)).toBe(true);
      expect(a.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(a.headers['content-security-policy']).toBe(CSP);
    }
    expect(br.raw.length).toBeLessThan(gz.raw.length);
    expect(gz.raw.length).toBeLessThan(plain.raw.length);
    const tags = new Set([plain, br, gz].map((a) => a.headers.etag));
    expect(tags.size).toBe(3);

    // index.html too, revalidated as before.
    const index = await get(s.url, '/', { 'accept-encoding': 'br' });
    expect(index.headers['content-encoding']).toBe('br');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(decoded(index).equals(INDEX)).toBe(true);

    // HEAD: the length of what GET would send in that coding, no body.
    const head = await get(s.url, asset, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('br');
    expect(Number(head.headers['content-length'])).toBe(br.raw.length);
    expect(head.raw.length).toBe(0);
  });

  it('honours q-values, `*` and identity', async () => {
    const s = await serve(build(true));
    const coding = async (accept: string): Promise<string | undefined> =>
      (await get(s.url, '/assets/app-1a.js', { 'accept-encoding': accept })).headers[
        'content-encoding'
      ];
    expect(await coding('br;q=0, gzip')).toBe('gzip');
    expect(await coding('gzip;q=1.0, br;q=0.5')).toBe('gzip');
    expect(await coding('gzip;q=0.5, br;q=0.8')).toBe('br');
    expect(await coding('*')).toBe('br');
    expect(await coding('*;q=0.5, br;q=0')).toBe('gzip');
    expect(await coding('x-gzip')).toBe('gzip');
    expect(await coding('identity')).toBeUndefined();
    expect(await coding('br;q=0.2, identity;q=0.9')).toBeUndefined();
    expect(await coding('deflate')).toBeUndefined();
    expect(await coding('')).toBeUndefined();
  });

  it('answers 304 only for the tag of the coding it would send', async () => {
    const s = await serve(build(true));
    const asset = '/assets/app-1a.js';
    const br = await get(s.url, asset, { 'accept-encoding': 'br' });
    const plain = await get(s.url, asset);
    const again = await get(s.url, asset, {
      'accept-encoding': 'br',
      'if-none-match': br.headers.etag!,
    });
    expect(again.status).toBe(304);
    expect(again.headers.vary).toBe('Accept-Encoding');
    expect(again.raw.length).toBe(0);
    // The identity tag does not stand for the brotli bytes, nor the other way round.
    const other = await get(s.url, asset, {
      'accept-encoding': 'br',
      'if-none-match': plain.headers.etag!,
    });
    expect(other.status).toBe(200);
    expect(other.headers['content-encoding']).toBe('br');
    const listed = await get(s.url, asset, {
      'if-none-match': `"nope", W/${plain.headers.etag!}`,
    });
    expect(listed.status).toBe(304);
  });

  it('serves a build without precompressed files as it is', async () => {
    const s = await serve(build(false));
    const a = await get(s.url, '/assets/app-1a.js', { 'accept-encoding': 'br, gzip' });
    expect(a.status).toBe(200);
    expect(a.headers['content-encoding']).toBeUndefined();
    expect(a.raw.equals(SCRIPT)).toBe(true);
    expect(Number(a.headers['content-length'])).toBe(SCRIPT.length);
  });

  it('never serves a precompressed file that does not match its file, nor one as an asset', async () => {
    const dir = build(true);
    // Left from another build: brotli of other bytes.
    writeFileSync(path.join(dir, 'assets', 'app-1a.js.br'), brotliCompressSync(INDEX));
    const s = await serve(dir);
    const a = await get(s.url, '/assets/app-1a.js', { 'accept-encoding': 'br, gzip' });
    expect(a.headers['content-encoding']).toBe('gzip');
    expect(decoded(a).equals(SCRIPT)).toBe(true);
    expect((await get(s.url, '/assets/app-1a.js.br')).status).toBe(404);
    expect((await get(s.url, '/assets/app-1a.js.gz')).status).toBe(404);
  });
});

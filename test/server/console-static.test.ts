// The ops console's files at `/`: index.html revalidated on every load, hashed assets cached
// for good, a strict Content-Security-Policy on everything, a page saying to build the
// console when it is missing, and the `--no-auth` host guard in front of it all.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/index.js';
import type { ServerConfig } from '../../src/server/index.js';
import { aionPackageRoot, consoleDirectory } from '../../src/server/console/index.js';
import { startTestServer, type TestServer } from './helpers.js';

const CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-3f9a1c.js"></script><link rel="stylesheet" href="/assets/app-77b0e2.css"></head><body></body></html>';
const SCRIPT = 'console.log("console");';
const STYLE = 'body { margin: 0 }';

let t: TestServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.stop();
  t = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A console build with fake files (no dependency on the real build). */
function fakeBuild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-console-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'app-3f9a1c.js'), SCRIPT);
  writeFileSync(path.join(dir, 'assets', 'app-77b0e2.css'), STYLE);
  return dir;
}

function emptyDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-console-'));
  dirs.push(dir);
  return dir;
}

function serve(config: Partial<ServerConfig>, auth = false): Promise<TestServer> {
  return startTestServer({
    auth,
    roles: auth ? ['admin'] : [],
    store: () => Promise.resolve(createMemoryStore()),
    config,
  });
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A raw request (any Host header and path, unnormalised). */
function request(
  url: string,
  pathname: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        path: pathname,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function expectHardened(answer: Answer): void {
  expect(answer.headers['content-security-policy']).toBe(CSP);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
}

describe('the console files', () => {
  it('serves index.html at / with no-cache, a strict CSP and an entity tag', async () => {
    t = await serve({ consoleDir: fakeBuild() });
    const page = await request(t.url, '/');
    expect(page.status).toBe(200);
    expect(page.body).toBe(INDEX);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expectHardened(page);
    const etag = page.headers.etag!;
    expect(etag).toMatch(/^".+"$/);
    // Revalidation: unchanged → 304 without a body.
    const again = await request(t.url, '/', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect((await request(t.url, '/', { headers: { 'if-none-match': '"other"' } })).status).toBe(
      200,
    );
  });

  it('serves hashed assets as immutable with their content types', async () => {
    t = await serve({ consoleDir: fakeBuild() });
    const script = await request(t.url, '/assets/app-3f9a1c.js');
    expect(script.status).toBe(200);
    expect(script.body).toBe(SCRIPT);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectHardened(script);
    const style = await request(t.url, '/assets/app-77b0e2.css');
    expect(style.body).toBe(STYLE);
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(style.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers 404 for unknown assets and never leaves the build directory', async () => {
    const dir = fakeBuild();
    writeFileSync(
      path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`),
      'TOP-SECRET-CONTENT',
    );
    t = await serve({ consoleDir: dir });
    for (const p of [
      '/assets/app-000000.js',
      '/assets/',
      '/assets/../index.html',
      '/assets/%2e%2e/index.html',
      `/assets/../../${path.basename(dir)}-secret.txt`,
    ]) {
      const answer = await request(t.url, p);
      expect(answer.status, p).toBe(404);
      expect(answer.body, p).not.toContain('TOP-SECRET-CONTENT');
      expect(answer.headers['x-content-type-options'], p).toBe('nosniff');
    }
    rmSync(path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`));
  });

  it('answers HEAD like GET without a body', async () => {
    t = await serve({ consoleDir: fakeBuild() });
    const head = await request(t.url, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['cache-control']).toBe('no-cache');
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(INDEX));
    expectHardened(head);
    const asset = await request(t.url, '/assets/app-3f9a1c.js', { method: 'HEAD' });
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await request(t.url, '/assets/nope.js', { method: 'HEAD' })).status).toBe(404);
  });

  it('says to run npm run build when the build is missing', async () => {
    t = await serve({ consoleDir: emptyDir() });
    const page = await request(t.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('npm run build');
    expectHardened(page);
    expect(t.server.console.state).toBe('missing');
    expect((await request(t.url, '/assets/app-3f9a1c.js')).status).toBe(404);
  });

  it('serves nothing at / with console: false', async () => {
    t = await serve({ console: false, consoleDir: fakeBuild() });
    expect(t.server.console.state).toBe('off');
    const page = await request(t.url, '/');
    expect(page.status).toBe(404);
    expect(JSON.parse(page.body)).toMatchObject({ code: 'not_found' });
    expect((await request(t.url, '/assets/app-3f9a1c.js')).status).toBe(404);
  });

  it('serves the page without a key when keys are required (the API still needs one)', async () => {
    t = await serve({ consoleDir: fakeBuild() }, true);
    expect((await request(t.url, '/')).status).toBe(200);
    expect((await request(t.url, '/assets/app-3f9a1c.js')).status).toBe(200);
    expect((await request(t.url, '/api/v1/namespaces/default/workflows')).status).toBe(401);
  });

  it('keeps the --no-auth host and origin guard in front of the console', async () => {
    t = await serve({ consoleDir: fakeBuild() });
    const host = new URL(t.url).host;
    const rebound = await request(t.url, '/', {
      headers: { host: `evil.example:${new URL(t.url).port}` },
    });
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body)).toMatchObject({ code: 'host_not_allowed' });
    const foreign = await request(t.url, '/assets/app-3f9a1c.js', {
      headers: { host, origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(421);
    const own = await request(t.url, '/', { headers: { host, origin: `http://${host}` } });
    expect(own.status).toBe(200);
    expect(
      (await request(t.url, '/', { headers: { host: `localhost:${new URL(t.url).port}` } })).status,
    ).toBe(200);
  });
});

describe('where the console build is found', () => {
  it('is dist/console of the package named aion, walking up from the server module', () => {
    const root = aionPackageRoot();
    expect(root).toBeDefined();
    const manifest = JSON.parse(readFileSync(path.join(root!, 'package.json'), 'utf8')) as {
      name: string;
    };
    expect(manifest.name).toBe('aion');
    expect(existsSync(path.join(root!, 'src', 'server', 'console'))).toBe(true);
    expect(consoleDirectory(undefined)).toBe(path.join(root!, 'dist', 'console'));
  });

  it('walks past package.json files of other packages, and gives up at the filesystem root', () => {
    const dir = emptyDir();
    mkdirSync(path.join(dir, 'node_modules', 'aion', 'dist', 'server', 'console'), {
      recursive: true,
    });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'my-app' }));
    writeFileSync(
      path.join(dir, 'node_modules', 'aion', 'package.json'),
      JSON.stringify({ name: 'aion' }),
    );
    writeFileSync(
      path.join(dir, 'node_modules', 'aion', 'dist', 'package.json'),
      '{"type":"module"}',
    );
    const module = path.join(dir, 'node_modules', 'aion', 'dist', 'server', 'console', 'x.js');
    expect(aionPackageRoot(module)).toBe(path.join(dir, 'node_modules', 'aion'));
    expect(aionPackageRoot(path.join(dir, 'elsewhere', 'x.js'))).toBeUndefined();
    expect(consoleDirectory('some/dir')).toBe(path.resolve('some/dir'));
  });
});

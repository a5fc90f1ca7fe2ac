// Where the browser opens the console. A server that serves the console itself (GET / is the
// built index.html) is used as it is; otherwise a small front on loopback serves
// dist/console and passes /api and the rest to the server, so the page and the API share
// one origin as they do in production.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const root = path.resolve(new URL('../../..', import.meta.url).pathname);
export const consoleDir = path.join(root, 'dist', 'console');

/** The newest modification time of the files under `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const p = path.join(dir, e.name);
    return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
}

/** Builds the console (esbuild, well under a second) unless the build is newer than web/. */
export function buildConsole(): void {
  const index = path.join(consoleDir, 'index.html');
  const sources = Math.max(
    newest(path.join(root, 'web')),
    statSync(path.join(root, 'scripts', 'build-console.mjs')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-console.mjs')], {
    cwd: root,
    stdio: 'pipe',
  });
}

export interface Front {
  readonly url: string;
  /** True when the aion server serves the console itself. */
  readonly served: boolean;
  close(): Promise<void>;
}

export async function openFront(backendUrl: string): Promise<Front> {
  const index = readFileSync(path.join(consoleDir, 'index.html'), 'utf8');
  const asset = /\/assets\/app-[\w-]+\.js/.exec(index)?.[0];
  const res = await fetch(backendUrl + '/');
  const body = await res.text();
  if (res.ok && asset !== undefined && body.includes(asset))
    return { url: backendUrl, served: true, close: async () => undefined };
  return startProxy(backendUrl);
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

async function startProxy(backendUrl: string): Promise<Front> {
  const backend = new URL(backendUrl);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname.startsWith('/assets/'))) {
      const file = path.join(consoleDir, url.pathname === '/' ? 'index.html' : url.pathname);
      if (!file.startsWith(consoleDir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      });
      createReadStream(file).pipe(res);
      return;
    }
    // The API as if the browser spoke to the server directly (its own origin).
    const headers = { ...req.headers, host: backend.host };
    if (headers.origin !== undefined) headers.origin = backend.origin;
    const up = http.request(
      { host: backend.hostname, port: backend.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served: false,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Seeded fuzzing of `aion server` over loopback: random and mutated JSON bodies, query
// strings, headers, raw HTTP requests, worker-protocol WebSocket frames and package archives.
// No answer may be a 5xx (but 503 store_unavailable), the process must stay alive, and a
// refused request must change nothing: a refused deploy stores no version, a refused start
// creates no run.
//
//   AION_FUZZ_SEED=<n>   replay a run (the seed is printed at the start)
//   AION_FUZZ_CASE=<i>   run only case i of that seed
//   AION_FUZZ_CASES=<n>  number of cases (default 2400)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildPackage } from '../../src/package/index.js';
import { listeningUrl, spawnServer } from '../support/aion-server.js';
import type { AionProcess } from '../support/aion-process.js';
import {
  brokenJson,
  caseRng,
  deepJson,
  headers,
  jsonValue,
  mutatedArchive,
  mutatedBody,
  queryString,
  rawRequest,
  workerFrame,
  type Rng,
} from './fuzz/generators.js';

const SEED = Number(process.env.AION_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ONLY =
  process.env.AION_FUZZ_CASE !== undefined ? Number(process.env.AION_FUZZ_CASE) : undefined;
const CASES = Number(process.env.AION_FUZZ_CASES ?? 2400);
const PARALLEL = Number(process.env.AION_FUZZ_PARALLEL ?? 6);
const NS = '/api/v1/namespaces/default';

/** Routes that may create a run when they succeed. */
const CREATES_RUNS = /\/(workflows|signal-with-start|reset|reopen|retry|batches)$/;

interface Answer {
  readonly status: number;
  readonly code?: string;
}

interface Fuzzed {
  /** What was sent, for the failure report. */
  readonly what: string;
  /** Run after the answer: throws if a refused request changed something. */
  readonly answers: Answer[];
  readonly route?: string;
}

let server: AionProcess;
let url: string;
let dir: string;
let validArchive: Uint8Array;
let validVersion: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-fuzz-'));
  const file = path.join(dir, 'fuzzed.ts');
  writeFileSync(file, "export async function fuzzed(): Promise<string> { return 'ok'; }\n");
  const built = await buildPackage({ workflowsPath: file });
  validArchive = built.archive;
  validVersion = built.version;
  server = spawnServer(path.join(dir, 'data'), {
    logLevel: 'error',
    env: {
      AION_MAX_BODY_BYTES: String(64 * 1024),
      AION_MAX_PACKAGE_BYTES: String(256 * 1024),
      AION_MAX_CONNECTION_RATE: '100000',
    },
  });
  url = await listeningUrl(server);
}, 120_000);

afterAll(async () => {
  server?.child.kill('SIGKILL');
  await server?.exited;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * One request on a connection of its own (no keep-alive pool: a pooled connection the server
 * closed after an earlier answer would fail this request for the client's reasons).
 */
function http(
  method: string,
  pathname: string,
  init: { body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const body = init.body !== undefined && method !== 'GET' ? Buffer.from(init.body) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(url + pathname, {
      method,
      agent: false,
      headers: { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      timeout: 60_000,
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, ...(code !== undefined ? { code } : {}) });
      });
    });
    req.end(body);
  });
}

const ROUTES: readonly { method: string; path: (r: Rng) => string; valid: () => object }[] = [
  {
    method: 'POST',
    path: () => `${NS}/workflows`,
    valid: () => ({ workflowType: 'greet', args: ['x'] }),
  },
  { method: 'GET', path: () => `${NS}/workflows`, valid: () => ({}) },
  { method: 'GET', path: () => `${NS}/workflows-count`, valid: () => ({}) },
  {
    method: 'POST',
    path: () => `${NS}/workflows/signal-with-start`,
    valid: () => ({
      workflowType: 'counter',
      workflowId: 'fz',
      signal: { name: 'add', args: [1] },
      args: [0],
    }),
  },
  {
    method: 'GET',
    path: (r) => `${NS}/workflows/${r.pick(['fz', 'nope', '%00', '..'])}`,
    valid: () => ({}),
  },
  {
    method: 'GET',
    path: (r) => `${NS}/workflows/${r.pick(['fz', 'nope'])}/history`,
    valid: () => ({}),
  },
  {
    method: 'POST',
    path: (r) => `${NS}/workflows/${r.pick(['fz', 'nope'])}/signal`,
    valid: () => ({ name: 'add', args: [1] }),
  },
  {
    method: 'POST',
    path: (r) => `${NS}/workflows/${r.pick(['fz', 'nope'])}/query`,
    valid: () => ({ name: 'count', args: [] }),
  },
  {
    method: 'POST',
    path: (r) => `${NS}/workflows/${r.pick(['fz', 'nope'])}/update`,
    valid: () => ({ name: 'set', args: [3] }),
  },
  {
    method: 'POST',
    path: (r) =>
      `${NS}/workflows/${r.pick(['fz', 'nope'])}/${r.pick(['cancel', 'terminate', 'resume', 'reset', 'reopen', 'retry'])}`,
    valid: () => ({ reason: 'fuzz' }),
  },
  {
    method: 'POST',
    path: () => `${NS}/activities/complete`,
    valid: () => ({ taskToken: 'x', value: 1 }),
  },
  {
    method: 'POST',
    path: () => `${NS}/search-attributes`,
    valid: () => ({ name: 'Fz', type: 'Keyword' }),
  },
  {
    method: 'PUT',
    path: (r) => `${NS}/routes/${r.pick(['greet', 'fuzzed', '__proto__'])}`,
    valid: () => ({ version: 'abc' }),
  },
  {
    method: 'POST',
    path: () => `${NS}/batches`,
    valid: () => ({ query: "WorkflowType = 'nope'", operation: { type: 'signal', signal: 'add' } }),
  },
  // Schedules of a workflow type no package exports: their fires fail and start no run.
  {
    method: 'POST',
    path: () => `${NS}/schedules`,
    valid: () => ({
      scheduleId: 'fz',
      spec: { cronExpressions: ['0 * * * *'], intervals: [{ every: '1h' }], timezone: 'UTC' },
      action: { workflowType: 'nope', args: [1] },
      policies: { overlap: 'SKIP', catchupWindow: '1m' },
      state: { backfill: [{ start: '2026-01-01T00:00:00Z', end: '2026-01-01T02:00:00Z' }] },
    }),
  },
  {
    method: 'PUT',
    path: (r) => `${NS}/schedules/${r.pick(['fz', 'nope'])}`,
    valid: () => ({
      spec: { calendars: [{ hour: 9, dayOfWeek: 'MONDAY' }], startAt: '2026-01-01T00:00:00Z' },
      action: { workflowType: 'nope' },
      conflictToken: 1,
    }),
  },
  {
    method: 'POST',
    path: (r) =>
      `${NS}/schedules/${r.pick(['fz', 'nope'])}/${r.pick(['pause', 'unpause', 'trigger', 'backfill'])}`,
    valid: () => ({
      backfills: [{ start: '2026-01-01T00:00:00Z', end: '2026-01-01T02:00:00Z' }],
    }),
  },
  {
    method: 'POST',
    path: () => '/api/v1/namespaces',
    valid: () => ({ name: 'fz', retention: '1 day' }),
  },
  { method: 'GET', path: () => `${NS}/packages`, valid: () => ({}) },
  {
    method: 'DELETE',
    path: (r) => `${NS}/packages/${r.pick(['0'.repeat(64), 'x', '..'])}`,
    valid: () => ({}),
  },
];

/** One HTTP request to a route with a generated body, query string and headers. */
async function httpCase(r: Rng): Promise<Fuzzed> {
  const route = r.pick(ROUTES);
  const pathname = route.path(r) + (r.chance(0.4) ? queryString(r) : '');
  const hs = r.chance(0.3) ? headers(r) : { 'content-type': 'application/json' };
  const valid = JSON.stringify(route.valid());
  const body = r.pick([
    () => JSON.stringify(mutatedBody(r, route.valid() as Record<string, unknown>)),
    () => JSON.stringify(jsonValue(r, 6)),
    () => brokenJson(r, valid),
    () => deepJson(r, 10 + r.int(3000)),
    () => valid,
  ])();
  const answer = await http(route.method, pathname, { body, headers: hs });
  return {
    what: `${route.method} ${pathname} headers=${JSON.stringify(hs)} body=${body.slice(0, 300)}`,
    answers: [answer],
    route: `${route.method} ${pathname.split('?')[0]}`,
  };
}

/** A raw request over TCP: malformed framing Node's parser must refuse. */
async function rawCase(r: Rng): Promise<Fuzzed> {
  const { hostname, port } = new URL(url);
  const text = rawRequest(r, `${hostname}:${port}`);
  const reply = await new Promise<string>((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('error', () => resolve(data));
    socket.on('close', () => resolve(data));
    socket.setTimeout(3000, () => socket.destroy());
    socket.write(text);
  });
  const statuses = [...reply.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => ({
    status: Number(m[1]),
  }));
  return { what: `raw ${JSON.stringify(text.slice(0, 300))}`, answers: statuses };
}

/** A worker connection that sends a few generated frames. */
async function wsCase(r: Rng): Promise<Fuzzed> {
  const frames = Array.from({ length: 1 + r.int(4) }, () => workerFrame(r));
  await new Promise<void>((resolve) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/worker`);
    const done = (): void => resolve();
    ws.on('error', done);
    ws.on('close', done);
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      done();
    });
    ws.on('open', () => {
      for (const f of frames) ws.send(f);
      setTimeout(() => ws.close(), 50);
    });
    setTimeout(() => {
      ws.terminate();
      done();
    }, 5000).unref();
  });
  return {
    what: `worker frames ${JSON.stringify(frames.map((f) => String(f).slice(0, 120)))}`,
    answers: [],
  };
}

/** A mutated (rarely: intact) package archive upload. */
async function packageCase(r: Rng): Promise<Fuzzed> {
  const bytes = r.chance(0.05) ? validArchive : mutatedArchive(r, validArchive);
  const answer = await http('POST', `${NS}/packages`, {
    body: bytes,
    headers: { 'content-type': r.chance(0.9) ? 'application/octet-stream' : 'application/json' },
  });
  return { what: `package of ${bytes.length} bytes`, answers: [answer], route: 'deploy' };
}

async function runCase(index: number): Promise<Fuzzed> {
  const r = caseRng(SEED, index);
  const kind = r.next();
  if (kind < 0.72) return httpCase(r);
  if (kind < 0.82) return rawCase(r);
  if (kind < 0.94) return wsCase(r);
  return packageCase(r);
}

function acceptable(a: Answer): boolean {
  return a.status < 500 || (a.status === 503 && a.code === 'store_unavailable');
}

describe('server fuzz', () => {
  it('answers hostile input without a 5xx, a crash or a partial write', async () => {
    const indices = ONLY !== undefined ? [ONLY] : Array.from({ length: CASES }, (_, i) => i);
    console.log(`fuzz seed ${SEED}: ${indices.length} cases (replay: AION_FUZZ_SEED=${SEED})`);
    const started = performance.now();
    let created = 0;
    let deployed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < indices.length) {
        const index = indices[next++]!;
        const reproduce = `reproduce: AION_FUZZ_SEED=${SEED} AION_FUZZ_CASE=${index} npx vitest run test/server/fuzz.test.ts`;
        const c = await runCase(index).catch((err: unknown) => {
          throw new Error(
            `case ${index} threw ${String(err)} (${String((err as Error).cause)})\n${reproduce}`,
          );
        });
        for (const a of c.answers) {
          if (!acceptable(a))
            throw new Error(
              `case ${index}: ${a.status} ${a.code ?? ''} for ${c.what}\n${reproduce}`,
            );
        }
        const ok = c.answers.some((a) => a.status < 300);
        if (ok && c.route?.startsWith('POST ') && CREATES_RUNS.test(c.route)) created++;
        if (ok && c.route === 'deploy') deployed++;
        if (server.child.exitCode !== null)
          throw new Error(
            `the server exited after case ${index} (${c.what})\n${server.stderr()}\n${reproduce}`,
          );
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`fuzz seed ${SEED}: ${indices.length} cases in ${seconds} s`);

    // Still alive and serving; refused starts created no run; refused deploys stored nothing.
    expect((await http('GET', '/healthz')).status).toBe(200);
    const count = await fetch(`${url}${NS}/workflows-count`).then((res) => res.json());
    expect((count as { count: number }).count).toBeLessThanOrEqual(created);
    const { versions } = (await fetch(`${url}${NS}/packages`).then((res) => res.json())) as {
      versions: { version: string }[];
    };
    const extra = versions.map((v) => v.version).filter((v) => v !== validVersion);
    // The server's own workflows package, and the fuzz package only if an upload was intact.
    expect(extra.length).toBe(1);
    if (deployed === 0) expect(versions.some((v) => v.version === validVersion)).toBe(false);
  }, 300_000);
});

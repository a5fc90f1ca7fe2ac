// Console benchmark (`npm run bench -- console`): a real `aion server` (SQLite in a temp dir,
// no auth) serving the built console, driven by headless chromium through playwright-core.
//   history         (first) the run page's History tab on runs of 10,000 and 50,000 events:
//                   first events shown, whole history read; floor: the same pages read from Node
//   first load      navigation → first workflow rows, in a fresh browser context (empty
//                   cache); the console's size raw, gzipped, and as the browser transferred it
//                   (the server sends the build's precompressed forms)
//   list            100,000 runs written through `store.commit` (1,000 per commit): first
//                   page, a filtered query and the next page by cursor over HTTP, p50/p95,
//                   beside the same calls on the store and through the engine in process;
//                   the console's first page with those runs
//   AION_BENCH_CONSOLE_RUNS  runs seeded for the list figures (default 100000)
//   AION_BENCH_CONSOLE_HISTORIES  history lengths, comma-separated (default 10000,50000)
//   AION_CHROMIUM            the browser (default /usr/bin/chromium)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createEngine, type Engine } from '../src/index.js';
import { createServer } from '../src/server/index.js';
import type { RunCommit, Store } from '../src/store/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { storeFixtures } from '../src/testing/index.js';
import { parseVisibilityQuery } from '../src/visibility/index.js';
import { nowMs, percentile, round, type Emit } from './lib.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONSOLE_DIR = path.join(ROOT, 'dist', 'console');
const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/console.ts', import.meta.url));
const RUNS = Number.parseInt(process.env.AION_BENCH_CONSOLE_RUNS ?? '100000', 10);
const HISTORIES = (process.env.AION_BENCH_CONSOLE_HISTORIES ?? '10000,50000')
  .split(',')
  .map((n) => Number.parseInt(n, 10));
const CALLS = 20; // HTTP and store calls per list figure
const LOADS = 5; // page loads per browser figure
const PAGE_SIZE = 50;
const FILTER = "WorkflowType = 'order' AND ExecutionStatus = 'Running'";
const TYPES = ['order', 'refund', 'invoice', 'shipment', 'payout'];
const CLOSES = ['WorkflowCompleted', 'WorkflowFailed', 'WorkflowTerminated'] as const;
const SUITE = 'console';

interface Stats {
  readonly p50: number;
  readonly p95: number;
}

function stats(ms: readonly number[]): Stats {
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)) };
}

const ratio = (a: Stats, b: Stats): number => round(a.p50 / b.p50, 2);

/** One warm-up call, then `n` timed ones. */
async function timed(n: number, fn: () => Promise<unknown>): Promise<Stats> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = nowMs();
    await fn();
    ms.push(nowMs() - start);
  }
  return stats(ms);
}

interface Bench {
  readonly url: string;
  readonly engine: Engine;
  readonly browser: Browser;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
}

async function api<T>(base: string, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${p}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Loads `hash` in a fresh context (empty cache) and times navigation → `ready`. */
async function load(
  b: Bench,
  hash: string,
  ready: (page: Page) => Promise<void>,
): Promise<{ ms: number; page: Page; close: () => Promise<void> }> {
  const context = await b.browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(300_000);
  const start = nowMs();
  await page.goto(`${b.url}/${hash}`);
  await ready(page);
  return { ms: nowMs() - start, page, close: () => context.close() };
}

async function loads(b: Bench, hash: string, ready: (page: Page) => Promise<void>) {
  await (await load(b, hash, ready)).close(); // warm-up: the browser's first page costs more
  const ms: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const l = await load(b, hash, ready);
    ms.push(l.ms);
    await l.close();
  }
  return { ...stats(ms), max: round(Math.max(...ms)), loads: LOADS };
}

const firstRow = (page: Page) => page.getByTestId('workflow-row').first().waitFor();
const LIST = '#/namespaces/default/workflows';

/** The console's own files (not API calls) as the browser fetched them. */
const TRANSFERRED = `(() => {
  const own = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
    .filter((e) => !new URL(e.name).pathname.startsWith('/api/'));
  return { files: own.length, transfer: own.reduce((n, e) => n + e.transferSize, 0),
           decoded: own.reduce((n, e) => n + e.decodedBodySize, 0) };
})()`;

async function firstLoad(b: Bench, emit: Emit): Promise<Stats> {
  const index = readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8');
  const assets = [...index.matchAll(/\/(assets\/[\w.-]+\.(?:js|css))/g)].map((m) => m[1]!);
  const raw = assets.map((a) => readFileSync(path.join(CONSOLE_DIR, a)));
  const gzip = raw.reduce((n, f) => n + gzipSync(f).length, 0);
  const one = await load(b, LIST, firstRow);
  const seen = await one.page.evaluate<{ files: number; transfer: number; decoded: number }>(
    TRANSFERRED,
  );
  await one.close();
  emit({
    suite: SUITE,
    name: 'console size',
    assets,
    rawKiB: round(raw.reduce((n, f) => n + f.length, 0) / 1024, 1),
    gzipKiB: round(gzip / 1024, 1),
    browserFiles: seen.files,
    browserTransferKiB: round(seen.transfer / 1024, 1),
    browserDecodedKiB: round(seen.decoded / 1024, 1),
    note: 'the server sends the precompressed .br or .gz the browser accepts; gzipKiB is the files gzipped at level 6, browserTransferKiB what went over the wire',
  });
  const few = await loads(b, LIST, firstRow);
  emit({
    suite: SUITE,
    name: 'first load to first rows (few runs)',
    ...few,
    unit: 'ms',
    note: 'fresh browser context each load (empty cache) after one warm-up load; no sign-in (--no-auth)',
  });
  return few;
}

/** A closed run of `events` events, started over HTTP and run by the engine. */
async function longRun(
  b: Bench,
  events: number,
): Promise<{ workflowId: string; runId: string; ranMs: number }> {
  const workflowId = `chatty-${events}`;
  const start = nowMs();
  const run = await b.api<{ workflowId: string; runId: string }>(
    'POST',
    '/namespaces/default/workflows',
    { workflowType: 'chatty', workflowId, args: [events - 2] },
  );
  for (;;) {
    const d = await b.api<{ status: string }>('GET', `/namespaces/default/workflows/${workflowId}`);
    if (d.status === 'COMPLETED') break;
    if (d.status !== 'RUNNING') throw new Error(`${workflowId} ended ${d.status}`);
    if (nowMs() - start > 600_000) throw new Error(`${workflowId} did not complete in 10 min`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ...run, ranMs: round(nowMs() - start) };
}

async function history(b: Bench, emit: Emit, events: number): Promise<void> {
  const run = await longRun(b, events);
  const hash = `#/namespaces/default/workflows/${run.workflowId}/${run.runId}?tab=history`;
  // Floor: the console's reads (pages of 1000, decoded) from Node, one after the other.
  const readAll = async () => {
    let fromSeq: number | null = 1;
    while (fromSeq !== null) {
      const page: { nextSeq: number | null } = await b.api(
        'GET',
        `/namespaces/default/workflows/${run.workflowId}/history?runId=${run.runId}&fromSeq=${fromSeq}&maxEvents=1000&decode=true`,
      );
      fromSeq = page.nextSeq;
    }
  };
  const floor = await timed(5, readAll);
  const first = await loads(b, hash, (page) => page.getByTestId('event-row').first().waitFor());
  const done = new RegExp(`^${events} events(?! \\(reading)`);
  const all = await loads(b, hash, (page) =>
    page.getByTestId('history-count').filter({ hasText: done }).waitFor(),
  );
  emit({
    suite: SUITE,
    name: `run page history of ${events} events`,
    ...run,
    firstEvents: first,
    wholeHistory: all,
    floorHttpPages: floor,
    wholeVsFloor: ratio(all, floor),
    unit: 'ms',
    note: 'navigation in a fresh context to the first event rows / to all pages read and listed; floor: the same pages of 1000 read over HTTP from Node',
  });
}

function commitOf(i: number): RunCommit {
  const run = { namespace: 'default', workflowId: `wf-${i}`, runId: randomUUID() };
  const at = storeFixtures.T0 + i;
  const started = storeFixtures.startedEvent({ at, workflowType: TYPES[i % TYPES.length]! });
  const close = i % 4 === 0 ? [] : [storeFixtures.terminalEvent(2, at + 1, CLOSES[i % 3])];
  return { run, expectedSeq: 0, events: [started, ...close] };
}

/** Run `i`: one of five types; a quarter open, the rest completed, failed or terminated. */
async function seed(store: Store): Promise<number> {
  const start = nowMs();
  for (let from = 0; from < RUNS; from += 1000) {
    const batch: RunCommit[] = [];
    for (let i = from; i < Math.min(RUNS, from + 1000); i++) batch.push(commitOf(i));
    const outcomes = await store.commit(batch);
    if (!outcomes.every((o) => o.ok)) throw new Error('benchmark commit was refused');
  }
  return nowMs() - start;
}

async function list(b: Bench, emit: Emit, few: Stats): Promise<void> {
  const store = b.engine.store;
  emit({ suite: SUITE, name: 'seed', runs: RUNS, ms: round(await seed(store)) });
  const where = parseVisibilityQuery(FILTER, new Map()).where!;
  const http = (q: string) =>
    b.api<{ nextCursor: string | null }>(
      'GET',
      `/namespaces/default/workflows?pageSize=${PAGE_SIZE}${q}`,
    );
  const cursor = (await http('')).nextCursor!;
  const cases = [
    {
      what: `first page (${PAGE_SIZE})`,
      http: () => http(''),
      engine: () => b.engine.list({ pageSize: PAGE_SIZE }),
      store: () => store.listRuns({ namespace: 'default', pageSize: PAGE_SIZE }),
    },
    {
      what: `filtered: ${FILTER}`,
      http: () => http(`&query=${encodeURIComponent(FILTER)}`),
      engine: () => b.engine.list({ pageSize: PAGE_SIZE, query: FILTER }),
      store: () => store.listRuns({ namespace: 'default', pageSize: PAGE_SIZE, where }),
    },
    {
      what: 'next page by cursor',
      http: () => http(`&cursor=${encodeURIComponent(cursor)}`),
      engine: () => b.engine.list({ pageSize: PAGE_SIZE, cursor }),
      store: () => store.listRuns({ namespace: 'default', pageSize: PAGE_SIZE, cursor }),
    },
  ];
  for (const c of cases) {
    const floor = await timed(CALLS, c.store);
    const engine = await timed(CALLS, c.engine);
    const overHttp = await timed(CALLS, c.http);
    emit({
      suite: SUITE,
      name: `list ${c.what}`,
      runs: RUNS,
      http: overHttp,
      engine,
      store: floor,
      httpVsStore: ratio(overHttp, floor),
      engineVsStore: ratio(engine, floor),
      calls: CALLS,
      unit: 'ms',
    });
  }
  const many = await loads(b, LIST, firstRow);
  emit({
    suite: SUITE,
    name: `console first rows with ${RUNS} runs`,
    ...many,
    vsFewRuns: ratio(many, few),
    unit: 'ms',
    note: 'fresh browser context each load; the list also asks for the counts by status',
  });
}

export default async function consoleBench(emit: Emit): Promise<void> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-console.mjs')], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-console-'));
  const engine = await createEngine({
    store: await openSqliteStore({ path: path.join(dataDir, 'aion.db') }),
    workflowsPath: WORKFLOWS_PATH,
    activities: {},
    // `chatty` issues a whole history's upserts in one task.
    limits: { maxCommandsPerTask: Math.max(...HISTORIES) },
    // Warnings and errors to stderr; stdout carries only the result lines.
    logger: {
      debug: () => {},
      info: () => {},
      warn: (...a: unknown[]) => console.error(...a),
      error: (...a: unknown[]) => console.error(...a),
    },
  });
  const server = await createServer({
    engine,
    config: { port: 0, auth: false, dataDir, logLevel: 'silent' },
  });
  const { url } = await server.listen();
  const browser = await chromium.launch({
    executablePath: process.env.AION_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const b: Bench = {
    url,
    engine,
    browser,
    api: (method, p, body) => api(url, method, p, body),
  };
  try {
    // The long runs first: they are also the rows the first load waits for.
    for (const events of HISTORIES) await history(b, emit, events);
    await list(b, emit, await firstLoad(b, emit));
  } finally {
    await browser.close();
    await server.close();
    await engine.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

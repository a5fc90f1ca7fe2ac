// Diagnostic: where a single run over the server spends its time, step by step.
//   node --import tsx --import ./bench/compiled-engine.mjs bench/server-single-trace.ts [runs]
// The server bench's topology (server and client SDK in this process, SQLite, one remote
// worker process); after 600 warm-up runs, `runs` single runs (`execute`, one at a time) are
// timed at each step: the HTTP request reaching the server, the first activation sent to the
// workflow thread, each store commit, each task frame sent to the worker, each activity
// starting in the worker process (its own clock stamps; both processes read the same system
// clock), each result message arriving, the response written, the client's answer. Prints
// the median of each segment in microseconds as one JSON line. The hooks patch prototypes
// (http.Server#emit, ServerResponse#end, Worker#postMessage, ws' send and emit) and add a
// little to what they time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker as ThreadWorker } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { Client, Connection } from '../src/client/remote.js';
import { createEngine } from '../src/index.js';
import { createServer } from '../src/server/server.js';
import { benchScript } from './child.js';
import { openBenchStore, WORKFLOWS_PATH } from './engine-common.js';
import { percentile, round } from './lib.js';
import { hook, markCommits } from './trace-hooks.js';
import { registered, stop } from './worker-process.js';

const WORKER = fileURLToPath(new URL('./server-worker.ts', import.meta.url));
const WARMUP = 600;
const runs = Number.parseInt(process.argv[2] ?? '300', 10);
/** Diagnostic: a directory for CPU profiles of the timed runs (this process and the worker's). */
const PROFILE_DIR = process.env.AION_BENCH_PROFILE;
const now = (): number => performance.timeOrigin + performance.now();

type Mark = 'request' | 'activate' | 'commitStart' | 'commitEnd' | 'task' | 'result' | 'respond';
const marks: { readonly mark: Mark; readonly at: number }[] = [];
let recording = false;
const mark = (m: Mark): void => {
  if (recording) marks.push({ mark: m, at: now() });
};

hook(http.Server.prototype, 'emit', ([event]) => event === 'request' && mark('request'));
hook(http.ServerResponse.prototype, 'end', () => mark('respond'));
hook(ThreadWorker.prototype, 'postMessage', ([m]) => {
  if ((m as { type?: unknown } | null)?.type === 'activate') mark('activate');
});
hook(WebSocket.prototype, 'send', ([data]) => {
  if (typeof data === 'string' && data.includes('"type":"task"')) mark('task');
});
hook(WebSocket.prototype, 'emit', ([event, data]) => {
  if (event === 'message' && String(data).includes('"type":"result"')) mark('result');
});

const bench = await openBenchStore('sqlite');
markCommits(bench.store, mark);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-trace-'));
const stampsFile = path.join(dataDir, 'activity-stamps.json');
let worker: ChildProcess | undefined;
const segments = new Map<string, number[]>();
const add = (name: string, ms: number): void => {
  let list = segments.get(name);
  if (!list) segments.set(name, (list = []));
  list.push(ms * 1000);
};
let incomplete = 0;
try {
  const engine = await createEngine({ store: bench.store, workflowsPath: WORKFLOWS_PATH });
  const server = await createServer({
    engine,
    config: { port: 0, auth: false, dataDir, logLevel: 'silent' },
  });
  try {
    const { url } = await server.listen();
    const profileFlags = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    worker = spawn(process.execPath, [...profileFlags, ...benchScript(WORKER), url], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, AION_BENCH_ACTIVITY_STAMPS: stampsFile },
    });
    await registered(engine, worker);
    const client = new Client({ connection: await Connection.connect({ address: url }) });
    for (let i = 0; i < WARMUP; i++) await client.workflow.execute('threeSteps');
    const spans: [number, number][] = [];
    const session = PROFILE_DIR ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    recording = true;
    for (let i = 0; i < runs; i++) {
      const t = now();
      await client.workflow.execute('threeSteps');
      spans.push([t, now()]);
    }
    recording = false;
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(path.join(PROFILE_DIR!, 'server-single.cpuprofile'), JSON.stringify(profile));
      session.disconnect();
    }
    await stop(worker); // writes the activity stamps on SIGTERM
    const activities = (JSON.parse(readFileSync(stampsFile, 'utf8')) as number[]).slice(3 * WARMUP);
    spans.forEach(([t0, t1], r) => {
      const within = marks.filter((m) => m.at >= t0 && m.at <= t1);
      const of = (m: Mark): number[] => within.filter((x) => x.mark === m).map((x) => x.at);
      const [request] = of('request');
      const [activate] = of('activate');
      const starts = of('commitStart');
      const ends = of('commitEnd');
      const tasks = of('task');
      const results = of('result');
      const respond = of('respond').at(-1);
      const acts = activities.slice(3 * r, 3 * r + 3);
      if (
        request === undefined ||
        activate === undefined ||
        respond === undefined ||
        starts.length !== 4 ||
        ends.length !== 4 ||
        tasks.length !== 3 ||
        results.length !== 3 ||
        acts.length !== 3
      ) {
        incomplete++;
        return;
      }
      add('run', t1 - t0);
      add('client → request at the server', request - t0);
      add('request → first activation sent', activate - request);
      add('first activation sent → commit 1', starts[0]! - activate);
      for (let k = 0; k < 4; k++) add(`commit ${k + 1}`, ends[k]! - starts[k]!);
      for (let k = 0; k < 3; k++) {
        add(`commit ${k + 1} → task frame sent`, tasks[k]! - ends[k]!);
        add(`task frame → activity ${k + 1} starts (worker process)`, acts[k]! - tasks[k]!);
        add(`activity ${k + 1} → its result at the server`, results[k]! - acts[k]!);
        add(`result ${k + 1} → commit ${k + 2}`, starts[k + 1]! - results[k]!);
      }
      add('commit 4 → response written', respond - ends[3]!);
      add('response written → client has the result', t1 - respond);
    });
  } finally {
    if (worker) await stop(worker);
    await server.close();
  }
} finally {
  await bench.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}
const medians: Record<string, number> = { runs, incomplete };
for (const [name, list] of segments) medians[`${name} (µs, p50)`] = round(percentile(list, 50), 0);
process.stdout.write(`${JSON.stringify(medians, null, 1)}\n`);

// S1 over the server, in a fresh process (so JIT/GC state matches the embedded S1 child):
//   node --import tsx --import ./bench/compiled-engine.mjs bench/server-child.ts <workflows> [concurrency] [singleRuns]
// An engine without in-process activities (SQLite, temp dir) behind `createServer`, one
// remote worker process (server-worker.ts) serving the S1 activity, and the remote client
// SDK in this process. Prints the figures as one JSON line prefixed by RESULT_PREFIX.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { Client, Connection } from '../src/client/remote.js';
import { createEngine } from '../src/index.js';
import { createServer } from '../src/server/server.js';
import {
  commitFigures,
  instrumentCommits,
  MiB,
  openBenchStore,
  pool,
  RESULT_PREFIX,
  RssSampler,
  WORKFLOWS_PATH,
} from './engine-common.js';
import { benchScript } from './child.js';
import { SINGLE_RUN_WARMUP } from './engine-scenarios.js';
import { nowMs, percentile, round } from './lib.js';
import { registered, stop } from './worker-process.js';

const WORKER = fileURLToPath(new URL('./server-worker.ts', import.meta.url));

const int = (s: string | undefined, fallback: number): number =>
  s ? Number.parseInt(s, 10) : fallback;
const [nArg, windowArg, singleArg] = process.argv.slice(2);
const n = int(nArg, 2000);
const window = int(windowArg, 100);
const singleRuns = int(singleArg, 50);
/** Diagnostic: a directory to write CPU profiles of the throughput phase to (this process and the worker). */
const PROFILE_DIR = process.env.AION_BENCH_PROFILE;

/** Profiles this process from now until the returned function is called (which writes the file). */
async function profile(dir: string | undefined): Promise<() => Promise<void>> {
  if (!dir) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync(path.join(dir, 'server-s1-throughput.cpuprofile'), JSON.stringify(p));
    session.disconnect();
  };
}

function latency(prefix: string, samples: readonly number[]): Record<string, number> {
  return {
    [`${prefix}P50Ms`]: round(percentile(samples, 50), 3),
    [`${prefix}P99Ms`]: round(percentile(samples, 99), 3),
  };
}

/** The worker protocol's message and frame counters of the server, by direction (GET /metrics). */
async function wireCounters(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  const line = /^aion_worker_(messages|frames)_total\{direction="(in|out)"\} (\d+)/gm;
  for (const m of text.matchAll(line)) out[`${m[1]}_${m[2]}`] = Number(m[3]);
  return out;
}

/** Frames per WebSocket message of the phase between two readings (1: no batching). */
function framesPerMessage(
  a: Record<string, number>,
  b: Record<string, number>,
  dir: 'in' | 'out',
): number | null {
  const messages = (b[`messages_${dir}`] ?? 0) - (a[`messages_${dir}`] ?? 0);
  const frames = (b[`frames_${dir}`] ?? 0) - (a[`frames_${dir}`] ?? 0);
  return messages > 0 ? round(frames / messages, 2) : null;
}

const bench = await openBenchStore('sqlite');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-server-'));
let worker: ChildProcess | undefined;
try {
  const commits = instrumentCommits(bench.store);
  // Audit entries written in a store transaction of their own (not with a group commit).
  let auditAppends = 0;
  const appendAudit = bench.store.appendAudit.bind(bench.store);
  bench.store.appendAudit = (entries) => {
    auditAppends++;
    return appendAudit(entries);
  };
  // No `activities`: every `step` goes to the remote worker.
  const engine = await createEngine({ store: bench.store, workflowsPath: WORKFLOWS_PATH });
  const server = await createServer({
    engine,
    config: { port: 0, auth: false, dataDir, logLevel: 'silent' },
  });
  try {
    const { url } = await server.listen();
    const profileFlags = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    worker = spawn(
      process.execPath,
      [...profileFlags, ...benchScript(WORKER), url, String(2 * window)],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    await registered(engine, worker);

    const connection = await Connection.connect({ address: url });
    let requests = 0;
    const request = connection.request.bind(connection);
    connection.request = (...args) => {
      requests++;
      return request(...args);
    };
    const client = new Client({ connection });

    for (let i = 0; i < 20; i++) await client.workflow.execute('threeSteps'); // warm-up
    const sampler = new RssSampler();
    const before = { ...commits };
    const requestsBefore = requests;
    const auditAppendsBefore = auditAppends;
    const wireBefore = await wireCounters(url);
    const stopProfile = await profile(PROFILE_DIR);
    const cpuBefore = process.cpuUsage();
    const loaded: number[] = [];
    let wrong = 0;
    const t0 = nowMs();
    await pool(n, window, async () => {
      const t = nowMs();
      if ((await client.workflow.execute('threeSteps')) !== 3) wrong++;
      loaded.push(nowMs() - t);
    });
    const seconds = (nowMs() - t0) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await stopProfile();
    const peakRss = sampler.stop();
    const wireAfter = await wireCounters(url);
    const phaseRequests = requests - requestsBefore;
    const phase = {
      calls: commits.calls - before.calls,
      runCommits: commits.runCommits - before.runCommits,
      events: commits.events - before.events,
      ms: commits.ms - before.ms,
    };
    if (wrong > 0)
      throw new Error(`S1 over the server: ${wrong} workflows returned a wrong result`);

    // As many as embedded S1's single runs get (same-run ratio).
    for (let i = 0; i < SINGLE_RUN_WARMUP; i++) await client.workflow.execute('threeSteps');
    const single: number[] = [];
    for (let i = 0; i < singleRuns; i++) {
      const t = nowMs();
      await client.workflow.execute('threeSteps');
      single.push(nowMs() - t);
    }

    const figures = {
      store: bench.description,
      topology:
        'server + remote client SDK in one process (HTTP on loopback), one remote worker process (WebSocket)',
      workflows: n,
      concurrency: window,
      activitiesPerWorkflow: 3,
      seconds: round(seconds, 3),
      workflowsPerSec: round(n / seconds, 1),
      activitiesPerSec: round((3 * n) / seconds, 1),
      peakRssMiB: round(peakRss / MiB, 1),
      serverProcessCpuShare: round((cpu.user + cpu.system) / 1000 / (seconds * 1000), 2),
      httpRequestsPerWorkflow: round(phaseRequests / n, 2),
      // Worker protocol frames per WebSocket message (null: the server does not count them).
      workerFramesPerMessageIn: framesPerMessage(wireBefore, wireAfter, 'in'),
      workerFramesPerMessageOut: framesPerMessage(wireBefore, wireAfter, 'out'),
      ...latency('loadedRun', loaded),
      ...commitFigures(phase, n, seconds * 1000),
      auditAppendsPerWorkflow: round((auditAppends - auditAppendsBefore) / n, 3),
      singleRuns,
      ...latency('singleRun', single),
      singleRunMinMs: round(Math.min(...single), 3),
      singleRunMaxMs: round(Math.max(...single), 3),
    };
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(figures)}\n`);
  } finally {
    if (worker) await stop(worker);
    await server.close();
  }
} finally {
  await bench.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}

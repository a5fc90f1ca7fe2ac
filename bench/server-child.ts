// S1 over the server, in a fresh process (so JIT/GC state matches the embedded S1 child):
//   node --import tsx --import ./bench/compiled-engine.mjs bench/server-child.ts <workflows> [concurrency] [singleRuns]
// An engine without in-process activities (SQLite, temp dir) behind `createServer` in this
// process, one remote worker process (server-worker.ts) serving the S1 activity, and the
// remote client SDK in a process of its own (server-client.ts), as an application's would be.
// AION_BENCH_CLIENT=inline runs the client SDK in this process instead (the topology of
// earlier figures: the client's work then shares the server's thread). Prints the figures as
// one JSON line prefixed by RESULT_PREFIX.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { createEngine } from '../src/index.js';
import { createServer } from '../src/server/server.js';
import {
  commitFigures,
  instrumentCommits,
  MiB,
  openBenchStore,
  RESULT_PREFIX,
  RssSampler,
  WORKFLOWS_PATH,
} from './engine-common.js';
import { benchScript } from './child.js';
import { procStat } from './cluster-cpu.js';
import { clientLoad, type ClientLoad, type RunsAnswer, type RunsCommand } from './server-load.js';
import { SINGLE_RUN_WARMUP } from './engine-scenarios.js';
import { percentile, round } from './lib.js';
import { registered, stop } from './worker-process.js';

const WORKER = fileURLToPath(new URL('./server-worker.ts', import.meta.url));
const CLIENT = fileURLToPath(new URL('./server-client.ts', import.meta.url));

const int = (s: string | undefined, fallback: number): number =>
  s ? Number.parseInt(s, 10) : fallback;
const [nArg, windowArg, singleArg] = process.argv.slice(2);
const n = int(nArg, 2000);
const window = int(windowArg, 100);
const singleRuns = int(singleArg, 50);
/** Diagnostic: a directory to write CPU profiles of the throughput phase to (this process and the worker). */
const PROFILE_DIR = process.env.AION_BENCH_PROFILE;
/** Where the client SDK runs: `process` (its own, the default) or `inline` (this process). */
const CLIENT_MODE = process.env.AION_BENCH_CLIENT === 'inline' ? 'inline' : 'process';

/** CPU time (ms) process `pid` has used so far, from /proc (Linux; else null). */
function procCpuMs(pid: number | undefined): number | null {
  const stat = pid === undefined ? undefined : procStat(pid);
  return stat === undefined ? null : stat.seconds * 1000;
}

const perWorkflow = (a: number | null, b: number | null, n: number): number | null =>
  a === null || b === null ? null : round((b - a) / n, 3);

/** Runs `n` `execute` calls, `window` at a time, from wherever the client SDK runs. */
interface Load extends ClientLoad {
  /** The client's own process, when it has one. */
  readonly pid?: number | undefined;
}

/** The client SDK in a process of its own (server-client.ts), driven over IPC. */
async function processLoad(url: string): Promise<Load> {
  const child = spawn(process.execPath, [...benchScript(CLIENT), url], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: { resolve: (m: unknown) => void; reject: (e: Error) => void } | undefined;
  const next = (): Promise<unknown> =>
    new Promise((resolve, reject) => {
      pending = { resolve, reject };
    });
  child.on('message', (m) => {
    const p = pending;
    pending = undefined;
    p?.resolve(m);
  });
  child.once('exit', (code, signal) => {
    pending?.reject(new Error(`client process ended (${signal ?? code})`));
    pending = undefined;
  });
  await next(); // { ready: true }
  return {
    pid: child.pid,
    async runs(n, window) {
      const answer = next();
      child.send({ cmd: 'runs', n, window } satisfies RunsCommand);
      const m = (await answer) as RunsAnswer | { error: string };
      if ('error' in m) throw new Error(`client process: ${m.error}`);
      return m;
    },
    async close() {
      child.send({ cmd: 'exit' });
      await stop(child);
    },
  };
}

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

    const load: Load = CLIENT_MODE === 'inline' ? await clientLoad(url) : await processLoad(url);
    try {
      await load.runs(20, 1); // warm-up
      const sampler = new RssSampler();
      const before = { ...commits };
      const auditAppendsBefore = auditAppends;
      const wireBefore = await wireCounters(url);
      const stopProfile = await profile(PROFILE_DIR);
      const cpuBefore = process.cpuUsage();
      const workerCpuBefore = procCpuMs(worker.pid);
      const clientCpuBefore = procCpuMs(load.pid);
      const loadedPhase = await load.runs(n, window);
      const cpu = process.cpuUsage(cpuBefore);
      const workerCpuAfter = procCpuMs(worker.pid);
      const clientCpuAfter = procCpuMs(load.pid);
      await stopProfile();
      const peakRss = sampler.stop();
      const wireAfter = await wireCounters(url);
      const { seconds, latencies: loaded } = loadedPhase;
      const phase = {
        calls: commits.calls - before.calls,
        runCommits: commits.runCommits - before.runCommits,
        events: commits.events - before.events,
        ms: commits.ms - before.ms,
      };
      if (loadedPhase.wrong > 0)
        throw new Error(
          `S1 over the server: ${loadedPhase.wrong} workflows returned a wrong result`,
        );

      // As many as embedded S1's single runs get (same-run ratio).
      await load.runs(SINGLE_RUN_WARMUP, 1);
      const { latencies: single } = await load.runs(singleRuns, 1);
      const figures = {
        store: bench.description,
        topology: `server in one process, remote client SDK ${CLIENT_MODE === 'inline' ? 'in the same process' : 'in a process of its own'} (HTTP on loopback), one remote worker process (WebSocket)`,
        clientProcess: CLIENT_MODE === 'process',
        workflows: n,
        concurrency: window,
        activitiesPerWorkflow: 3,
        seconds: round(seconds, 3),
        workflowsPerSec: round(n / seconds, 1),
        activitiesPerSec: round((3 * n) / seconds, 1),
        peakRssMiB: round(peakRss / MiB, 1),
        serverProcessCpuShare: round((cpu.user + cpu.system) / 1000 / (seconds * 1000), 2),
        // CPU per workflow of each process in the throughput phase (ms; null where unknown).
        serverCpuMsPerWorkflow: round((cpu.user + cpu.system) / 1000 / n, 3),
        workerCpuMsPerWorkflow: perWorkflow(workerCpuBefore, workerCpuAfter, n),
        clientCpuMsPerWorkflow: perWorkflow(clientCpuBefore, clientCpuAfter, n),
        httpRequestsPerWorkflow: round(loadedPhase.requests / n, 2),
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
      await load.close();
    }
  } finally {
    if (worker) await stop(worker);
    await server.close();
  }
} finally {
  await bench.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}

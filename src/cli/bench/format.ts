// What `aion bench` prints: the JSON document (`--output json`), or the human lines, written
// as each part is known (the header first, then each scenario as it finishes).
import os from 'node:os';
import type { StoreInfo } from './embedded.js';
import type { S1Figures, S2Figures, S3Figures } from './scenarios.js';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

/** The S1 floor on SQLite: one durable commit, and the four a 3-activity run needs at least. */
export interface S1Floor {
  readonly singleCommitP50Ms: number;
  readonly singleCommitP99Ms: number;
  /** 4 × the single-commit p50: start, then one commit per activity result. */
  readonly floorMs: number;
  /** The single-run p50 over `floorMs`. */
  readonly singleRunVsFloor: number;
}

/** What cleaning up did: the temporary database or schema, or the server namespace. */
export interface BenchCleanup {
  readonly ok: boolean;
  readonly error?: string;
  readonly namespace?: string;
  /** Server: runs still open at the end, terminated. */
  readonly terminated?: number;
  readonly errors?: readonly string[];
}

export interface BenchReport {
  readonly mode: 'embedded' | 'server';
  readonly machine: MachineInfo;
  store?: StoreInfo;
  server?: { readonly address: string; readonly namespace: string };
  readonly scenarios: {
    s1?: S1Figures & { floor?: S1Floor };
    s2?: S2Figures;
    s3?: S3Figures;
  };
  cleanup?: BenchCleanup;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

const num = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const ms = (n: number): string => `${num(n, n < 100 ? 1 : 0)} ms`;

export function headerText(report: BenchReport): string {
  const m = report.machine;
  const lines = [`aion bench: ${report.mode === 'embedded' ? 'embedded engine' : 'server'}`];
  if (report.server) {
    lines.push(`server      ${report.server.address}, namespace ${report.server.namespace}`);
  }
  if (report.store) {
    const s = report.store;
    const durability = Object.entries(s.durability)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    lines.push(`store       ${s.kind} ${s.location} (temporary, removed afterwards)`);
    lines.push(`durability  ${durability}`);
    lines.push(`codecs      ${s.payloadCodecs.length ? s.payloadCodecs.join(', ') : 'none'}`);
  }
  lines.push(
    `${report.mode === 'server' ? 'client      ' : 'machine     '}${m.cores} cores (${m.cpuModel}), ${num(m.memoryGiB, 1)} GiB, Node ${m.node}, ${m.platform}`,
  );
  return lines.join('\n');
}

const started = (inFlight: number | undefined): string =>
  inFlight === undefined ? 'started at once' : `${num(inFlight)} in flight at a time`;

export function s1Text(f: S1Figures & { floor?: S1Floor }): string {
  const lines = [
    `S1  ${num(f.workflows)} workflows x 3 sequential activities, ${started(f.inFlight)}`,
    `    ${num(f.workflowsPerSec, 1)} workflows/s, ${num(f.activitiesPerSec)} activities/s, ${num(f.eventsPerSec)} events/s (${f.eventsPerWorkflow} events per workflow, ${num(f.seconds, 2)} s)`,
  ];
  if (f.cpuMsPerWorkflow !== undefined) {
    lines.push(
      `    CPU ${num(f.cpuMsPerWorkflow, 2)} ms per workflow${f.peakRssMiB !== undefined ? `, peak RSS ${num(f.peakRssMiB)} MiB` : ''}`,
    );
  }
  lines.push(
    `    single run (one at a time, ${f.singleRuns} runs after ${num(f.warmupRuns)} untimed): p50 ${ms(f.singleRunP50Ms)}, p99 ${ms(f.singleRunP99Ms)}`,
  );
  if (f.floor) {
    lines.push(
      `    floor: one durable commit p50 ${ms(f.floor.singleCommitP50Ms)} (p99 ${ms(f.floor.singleCommitP99Ms)}); a run needs 4: ${ms(f.floor.floorMs)}; single-run p50 is ${num(f.floor.singleRunVsFloor, 2)}x that`,
    );
  }
  return lines.join('\n');
}

export function s2Text(f: S2Figures): string {
  return [
    `S2  one workflow fanning out ${num(f.activities)} activities, ${f.trials} times`,
    `    wall p50 ${ms(f.wallP50Ms)}, p99 ${ms(f.wallP99Ms)}`,
  ].join('\n');
}

export function s3Text(f: S3Figures): string {
  return [
    `S3  ${num(f.workflows)} workflows sleeping ${num(f.sleepMs / 1000, 1)} s, ${started(f.inFlight)}`,
    `    all done in ${ms(f.totalMs)}: ${ms(f.overheadMs)} over the sleep${f.peakRssMiB !== undefined ? `, peak RSS ${num(f.peakRssMiB)} MiB` : ''}`,
  ].join('\n');
}

// `aion bench`: sizes a machine with the user's own configuration. Embedded (default) on a
// temporary database beside the configured store, or against a server (`--address`) in a
// namespace of its own; S1 throughput and latency, S2 fan-out, S3 timers.
import type { Command } from 'commander';
import { AionError } from '../../core/index.js';
import { loadConfig } from '../../server/index.js';
import { withHint, type CliIo } from '../output.js';
import { openEmbeddedBench } from './embedded.js';
import {
  headerText,
  machineInfo,
  s1Text,
  s2Text,
  s3Text,
  type BenchReport,
  type S1Floor,
} from './format.js';
import { openRemoteBench } from './remote.js';
import {
  DEFAULT_SIZES,
  round,
  runS1,
  runS2,
  runS3,
  SCENARIOS,
  stoppable,
  type BenchSizes,
  type BenchTarget,
  type ScenarioName,
} from './scenarios.js';

interface BenchFlags {
  readonly scenario: string;
  readonly workflows?: string;
  readonly singleRuns: string;
  readonly warmupRuns: string;
  readonly fanOut: string;
  readonly output: string;
  readonly config?: string;
  readonly dataDir?: string;
  readonly store?: string;
  readonly address?: string;
  readonly apiKey?: string;
  readonly yesCreateWorkflows?: boolean;
}

/** `aion bench`. */
export function registerBenchCommand(program: Command, io: CliIo): void {
  program
    .command('bench')
    .description(
      'measure what this machine (or a server) sustains with your configuration: throughput, latency, timers',
    )
    .option('--scenario <list>', 'scenarios to run, comma-separated: s1, s2, s3', 's1,s2,s3')
    .option('--workflows <n>', 'workflows of S1 and S3 (default: S1 2000, S3 1000)')
    .option('--single-runs <n>', 'S1 runs timed one at a time', String(DEFAULT_SIZES.singleRuns))
    .option(
      '--warmup-runs <n>',
      'S1 runs one at a time before the timed ones (0: time a cold engine)',
      String(DEFAULT_SIZES.warmupRuns),
    )
    .option('--fan-out <n>', 'activities of the S2 fan-out', String(DEFAULT_SIZES.fanOut))
    .option('--output <format>', 'table or json', 'table')
    .option('--config <file>', 'config file (default: ./aion.config.json if present)')
    .option('--data-dir <dir>', 'data directory whose disk the SQLite bench uses (default .aion)')
    .option('--store <store>', '"sqlite" (default) or a postgres:// connection string')
    .option('--address <url>', 'run against this server instead of an embedded engine')
    .option(
      '--api-key <key>',
      'with --address: API key able to create namespaces (env AION_API_KEY)',
    )
    .option(
      '--yes-create-workflows',
      'with --address: agree to create a namespace on the server and run workflows in it',
    )
    .action(async (flags: BenchFlags) => {
      const json = flags.output === 'json' || program.opts<{ json: boolean }>().json;
      if (flags.output !== 'json' && flags.output !== 'table') {
        throw new AionError('invalid_argument', `--output must be table or json`, {
          field: 'output',
        });
      }
      const scenarios = parseScenarios(flags.scenario);
      const sizes = parseSizes(flags);
      const code =
        flags.address !== undefined
          ? await benchServer(io, json, { ...flags, address: flags.address }, scenarios, sizes)
          : await benchEmbedded(io, json, flags, scenarios, sizes);
      // Interrupted: runs of the bench may still hold the event loop; the cleanup is done.
      if (code === 130) process.exit(130);
      if (code !== 0) process.exitCode = code;
    });
}

function parseScenarios(list: string): ScenarioName[] {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const unknown = names.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (names.length === 0 || unknown.length > 0) {
    throw new AionError(
      'invalid_argument',
      `--scenario takes a comma-separated list of s1, s2, s3 (got ${JSON.stringify(list)})`,
      { field: 'scenario' },
    );
  }
  return SCENARIOS.filter((s) => names.includes(s));
}

function positive(value: string, flag: string, max: number, min = 1): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new AionError(
      'invalid_argument',
      `${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`,
      { field: flag },
    );
  }
  return n;
}

function parseSizes(flags: BenchFlags): BenchSizes {
  const workflows =
    flags.workflows !== undefined ? positive(flags.workflows, '--workflows', 1_000_000) : undefined;
  return {
    ...DEFAULT_SIZES,
    s1Workflows: workflows ?? DEFAULT_SIZES.s1Workflows,
    s3Workflows: workflows ?? DEFAULT_SIZES.s3Workflows,
    singleRuns: positive(flags.singleRuns, '--single-runs', 100_000),
    warmupRuns: positive(flags.warmupRuns, '--warmup-runs', 100_000, 0),
    fanOut: positive(flags.fanOut, '--fan-out', 10_000),
  };
}

/** Runs the chosen scenarios, printing each as it finishes in table mode. */
async function runScenarios(
  io: CliIo,
  json: boolean,
  report: BenchReport,
  target: BenchTarget,
  scenarios: readonly ScenarioName[],
  sizes: BenchSizes,
  floor: () => Promise<Omit<S1Floor, 'floorMs' | 'singleRunVsFloor'> | undefined>,
): Promise<void> {
  const say = (text: string): void => {
    if (!json) io.stdout(`\n${text}\n`);
  };
  if (scenarios.includes('s1')) {
    const s1 = await runS1(target, sizes);
    const commit = await floor();
    const floorMs = commit && round(4 * commit.singleCommitP50Ms, 3);
    report.scenarios.s1 = {
      ...s1,
      ...(commit && floorMs
        ? {
            floor: {
              ...commit,
              floorMs,
              singleRunVsFloor: round(s1.singleRunP50Ms / floorMs, 2),
            },
          }
        : {}),
    };
    say(s1Text(report.scenarios.s1));
  }
  if (scenarios.includes('s2')) say(s2Text((report.scenarios.s2 = await runS2(target, sizes))));
  if (scenarios.includes('s3')) say(s3Text((report.scenarios.s3 = await runS3(target, sizes))));
}

class Interrupted extends Error {}

/**
 * Runs the bench until it ends or SIGINT/SIGTERM arrives: then {@link run} rejects with
 * Interrupted, and the caller's cleanup runs. A second signal before {@link close} exits at
 * once, saying what was left behind.
 */
class SignalGuard {
  #signalled = false;
  #interrupt: (signal: string) => void = () => undefined;
  readonly #interrupted = new Promise<never>((_, reject) => {
    this.#interrupt = (signal) => reject(new Interrupted(signal));
  });
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    if (this.#signalled) {
      this.io.stderr(`${signal} again: exiting before cleanup finished; ${this.leftBehind()}\n`);
      process.exit(130);
    }
    this.#signalled = true;
    this.io.stderr(`${signal}: stopping the bench and cleaning up\n`);
    this.#interrupt(signal);
  };

  constructor(
    private readonly io: CliIo,
    private readonly leftBehind: () => string,
  ) {
    this.#interrupted.catch(() => undefined);
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  run<T>(body: () => Promise<T>): Promise<T> {
    return Promise.race([body(), this.#interrupted]);
  }

  close(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}

/**
 * Waits for `opening` under the guard. When a signal comes first, waits for it anyway (it
 * may have created what the cleanup must remove), returning both.
 */
async function openUnder<T>(
  guard: SignalGuard,
  opening: Promise<T>,
): Promise<{ opened?: T; failure?: unknown }> {
  try {
    return { opened: await guard.run(() => opening) };
  } catch (failure) {
    if (!(failure instanceof Interrupted)) return { failure };
    const opened = await opening.catch(() => undefined);
    return opened === undefined ? { failure } : { opened, failure };
  }
}

async function benchEmbedded(
  io: CliIo,
  json: boolean,
  flags: BenchFlags,
  scenarios: readonly ScenarioName[],
  sizes: BenchSizes,
): Promise<number> {
  const config = loadConfig({
    ...(flags.config ? { file: flags.config } : {}),
    flags: { dataDir: flags.dataDir, store: flags.store },
  });
  let location = 'any .aion-bench-* directory of the data directory, or aion_bench_* schema,';
  const guard = new SignalGuard(io, () => `remove ${location} by hand`);
  const opening = openEmbeddedBench(config);
  const { opened: bench, failure: openFailure } = await openUnder(guard, opening);
  const report: BenchReport = { mode: 'embedded', machine: machineInfo(), scenarios: {} };
  if (bench === undefined) {
    guard.close();
    return finish(io, json, report, openFailure);
  }
  location = bench.store.location;
  report.store = bench.store;
  if (!json && openFailure === undefined) io.stdout(`${headerText(report)}\n`);
  const { target, stop } = stoppable(bench.target);
  let failure: unknown = openFailure;
  try {
    if (failure === undefined) {
      await guard.run(() =>
        runScenarios(io, json, report, target, scenarios, sizes, () => bench.floor()),
      );
    }
  } catch (err) {
    failure = err;
  }
  stop();
  const disposed = await bench.dispose();
  guard.close();
  report.cleanup = { ok: disposed.removed, ...(disposed.error ? { error: disposed.error } : {}) };
  if (!disposed.removed) {
    io.stderr(
      `cleanup failed: could not remove ${bench.store.location}: ${disposed.error ?? ''}\n`,
    );
  }
  return finish(io, json, report, failure);
}

async function benchServer(
  io: CliIo,
  json: boolean,
  flags: BenchFlags & { address: string },
  scenarios: readonly ScenarioName[],
  sizes: BenchSizes,
): Promise<number> {
  if (flags.config !== undefined || flags.dataDir !== undefined || flags.store !== undefined) {
    throw new AionError(
      'invalid_argument',
      '--address runs the bench on a server; --config, --data-dir and --store choose the store of an embedded run: pass one or the other',
      { field: 'address' },
    );
  }
  if (flags.yesCreateWorkflows !== true) {
    throw withHint(
      new AionError(
        'invalid_argument',
        `aion bench --address creates workflows on ${flags.address}: it creates a namespace aion-bench-<random>, deploys the bench workflows to it, runs the scenarios there (thousands of short workflows) with a worker in this process, then terminates what is still open and leaves the namespace to delete its runs after one minute`,
        { field: 'yesCreateWorkflows' },
      ),
      'pass --yes-create-workflows to go ahead (with an admin API key: --api-key or AION_API_KEY)',
    );
  }
  let namespace: string | undefined;
  const report: BenchReport = { mode: 'server', machine: machineInfo(), scenarios: {} };
  const guard = new SignalGuard(io, () =>
    namespace ? `namespace ${namespace} may hold open bench runs` : 'nothing was created',
  );
  const opening = openRemoteBench(flags, (name) => {
    namespace = name;
  });
  const { opened: bench, failure: openFailure } = await openUnder(guard, opening);
  let stop = (): void => undefined;
  let failure: unknown = openFailure;
  try {
    if (bench !== undefined && failure === undefined) {
      const server = { address: flags.address, namespace: bench.namespace };
      report.server = server;
      if (!json) io.stdout(`${headerText(report)}\n`);
      const guarded = stoppable(bench.target);
      stop = guarded.stop;
      await guard.run(() =>
        runScenarios(io, json, report, guarded.target, scenarios, sizes, () =>
          Promise.resolve(undefined),
        ),
      );
    }
  } catch (err) {
    failure = err;
  }
  stop();
  if (bench) {
    const cleanup = await bench.cleanup();
    report.cleanup = cleanup;
    if (!cleanup.ok) {
      io.stderr(
        `cleanup of namespace ${cleanup.namespace} was incomplete:\n${cleanup.errors.map((e) => `  ${e}`).join('\n')}\n`,
      );
    }
  }
  guard.close();
  return finish(io, json, report, failure);
}

/** Prints the report (JSON, or the cleanup line), then rethrows a failure or exits on a signal. */
function finish(io: CliIo, json: boolean, report: BenchReport, failure: unknown): number {
  if (failure instanceof Interrupted) {
    if (json) io.stdout(`${JSON.stringify({ ...report, interrupted: failure.message })}\n`);
    io.stderr(`${failure.message}: bench stopped; ${cleanupText(report)}\n`);
    return 130;
  }
  if (failure !== undefined) {
    if (report.cleanup) io.stderr(`${cleanupText(report)}\n`);
    throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
  }
  if (json) io.stdout(`${JSON.stringify(report)}\n`);
  else io.stdout(`\n${cleanupText(report)}\n`);
  return report.cleanup?.ok === false ? 1 : 0;
}

function cleanupText(report: BenchReport): string {
  const c = report.cleanup;
  if (!c) return 'nothing to clean up';
  if (report.mode === 'embedded')
    return c.ok
      ? `cleanup: removed the temporary ${report.store?.kind === 'postgres' ? 'schema' : 'database'}`
      : 'cleanup failed (see above)';
  const terminated = c.terminated !== undefined && c.terminated > 0;
  return c.ok
    ? `cleanup: ${terminated ? `terminated ${c.terminated} open runs; ` : ''}namespace ${c.namespace} holds no open bench runs, and retention deletes its runs one minute after they closed (the API has no namespace deletion: the empty namespace stays listed)`
    : `cleanup of namespace ${c.namespace} was incomplete (see above)`;
}

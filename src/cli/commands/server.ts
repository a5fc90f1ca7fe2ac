import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import * as esbuild from 'esbuild';
import { AionError } from '../../core/index.js';
import type { ActivityFunction } from '../../activity/index.js';
import { createEngine, storeLimitsOf } from '../../engine/index.js';
import { startTracing, tracingConfigFromEnv, type Tracing } from '../../otel/index.js';
import { buildPackage } from '../../package/index.js';
import { createServer, jsonLogger, type AionServer } from '../../server/index.js';
import { loadConfig, type ServerConfig } from '../../server/index.js';
import { PrometheusMetrics, payloadCodecsOf } from '../../server/index.js';
import type { Store } from '../../store/index.js';
import { aionVersion } from '../installation.js';
import type { CliIo } from '../output.js';
import {
  EXIT_MARGIN_MS,
  exitWithin,
  printStartLine,
  untilSignalled,
  withRunFileOptions,
  writeRunFilesOrDrain,
  type RunFileFlags,
} from './lifecycle.js';

interface ServerFlags extends RunFileFlags {
  readonly config?: string;
  readonly host?: string;
  readonly port?: string;
  readonly dataDir?: string;
  readonly store?: string;
  readonly cluster?: boolean;
  readonly nodeName?: string;
  readonly workflows?: string;
  readonly activities?: string[];
  readonly package?: string[];
  readonly namespace?: string;
  readonly auth?: boolean;
  readonly initialKeyFile?: string;
  readonly logLevel?: string;
  readonly examples?: boolean;
  readonly console?: boolean;
  readonly consoleDir?: string;
  readonly consoleSessionTtl?: string;
  readonly traceUrl?: string;
}

/** The examples shipped with Aion (workflows + in-process activities). */
export function examplesDir(): string {
  return fileURLToPath(new URL('../../../examples/', import.meta.url));
}

/**
 * Loads an activities module (TypeScript or JavaScript). TypeScript is bundled with esbuild
 * (dependencies included, Node built-ins external) into `<dataDir>/.cache` first, since Node
 * 20 cannot import `.ts` itself. Activities with native dependencies belong in a remote
 * worker (`aion/worker`) instead.
 */
export async function loadActivities(
  file: string,
  cacheDir: string,
): Promise<Record<string, ActivityFunction>> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) {
    throw new AionError('invalid_argument', `activities module ${file} does not exist`, {
      path: file,
    });
  }
  let url = pathToFileURL(abs).href;
  if (/\.[cm]?tsx?$/.test(abs)) {
    const result = await esbuild.build({
      entryPoints: [abs],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    const hash = createHash('sha256').update(abs).update(code).digest('hex').slice(0, 16);
    const out = path.join(cacheDir, `activities-${hash}.mjs`);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(out, code);
    url = pathToFileURL(out).href;
  }
  const mod = (await import(url)) as Record<string, unknown>;
  const activities: Record<string, ActivityFunction> = {};
  for (const [name, value] of Object.entries(mod)) {
    if (typeof value === 'function') activities[name] = value as ActivityFunction;
  }
  if (Object.keys(activities).length === 0) {
    throw new AionError('invalid_argument', `activities module ${file} exports no functions`, {
      path: file,
    });
  }
  return activities;
}

/** Opens the store a server configuration names (SQLite in `dataDir`, or PostgreSQL). */
export async function openStore(config: ServerConfig): Promise<Store> {
  const limits = storeLimitsOf(config.limits);
  if (config.store === 'sqlite') {
    const { openSqliteStore } = await import('../../store/sqlite/index.js');
    mkdirSync(config.dataDir, { recursive: true });
    return openSqliteStore({ path: path.join(config.dataDir, 'aion.db'), limits });
  }
  if (/^postgres(ql)?:\/\//.test(config.store)) {
    const { openPostgresStore } = await import('../../store/postgres/index.js');
    return openPostgresStore({
      connectionString: config.store,
      limits,
      preparedStatements: config.postgresPreparedStatements,
    });
  }
  throw new AionError(
    'invalid_argument',
    `store must be "sqlite" or a postgres:// connection string (got ${JSON.stringify(config.store)})`,
    { field: 'store' },
  );
}

export interface RunningServer {
  readonly server: AionServer;
  readonly url: string;
  /** The bound address and port (the chosen one with `port: 0`). */
  readonly host: string;
  readonly port: number;
  /** Trace export, when the `OTEL_*` environment asks for it; shut it down after draining. */
  readonly tracing?: Tracing;
}

/** Starts engine + server from a resolved configuration (used by `aion server` and tests). */
export async function startServer(
  config: ServerConfig,
  extra: { activities?: string[]; examples?: boolean } = {},
): Promise<RunningServer> {
  const cacheDir = path.join(config.dataDir, '.cache');
  const activities: Record<string, ActivityFunction> = {};
  const example = extra.examples
    ? readdirSync(examplesDir()).filter((d) =>
        existsSync(path.join(examplesDir(), d, 'workflows.ts')),
      )
    : [];
  for (const dir of example) {
    Object.assign(
      activities,
      await loadActivities(path.join(examplesDir(), dir, 'activities.ts'), cacheDir),
    );
  }
  for (const file of extra.activities ?? [])
    Object.assign(activities, await loadActivities(file, cacheDir));

  const tracingConfig = tracingConfigFromEnv(process.env);
  const tracing = tracingConfig ? await startTracing(tracingConfig) : undefined;
  const metrics = new PrometheusMetrics();
  // One JSON logger at the configured level for the server and its engine (store outages,
  // parked runs, task failures are engine lines).
  const logger = jsonLogger(config.logLevel);
  const payloadCodecs = payloadCodecsOf(config);
  const store = await openStore(config);
  const engine = await createEngine({
    store,
    namespace: config.namespace,
    metrics,
    logger,
    activities,
    taskQueues: config.taskQueues,
    storeRetryDeadlineMs: config.storeRetryDeadlineMs,
    leaseTtlMs: config.leaseTtlMs,
    cluster: config.cluster,
    ...(config.nodeName !== undefined ? { identity: config.nodeName } : {}),
    limits: config.limits,
    payloadCodecs,
    encodeFailureAttributes: config.encodeFailureAttributes,
    ...(config.workflowHeapLimitMb !== undefined
      ? { workflowHeapLimitMb: config.workflowHeapLimitMb }
      : {}),
    ...(config.maxResidentRuns !== undefined ? { maxResidentRuns: config.maxResidentRuns } : {}),
    ...(config.workflowsPath ? { workflowsPath: config.workflowsPath } : {}),
    ...(tracing
      ? {
          interceptors: {
            client: [tracing.interceptors.client],
            activity: [tracing.interceptors.activity],
          },
        }
      : {}),
  });
  try {
    for (const dir of example) {
      const built = await buildPackage({
        workflowsPath: path.join(examplesDir(), dir, 'workflows.ts'),
        name: dir,
      });
      await engine.deploy(built.archive);
    }
    for (const file of config.packages) await engine.deploy(await readFile(file));
    // The store was opened here: the server's drain closes it (a PostgreSQL pool would
    // otherwise hold the process open).
    const server = await createServer({ engine, metrics, config, ownsStore: true, logger });
    const { url, host, port } = await server.listen();
    return { server, url, host, port, ...(tracing ? { tracing } : {}) };
  } catch (err) {
    await engine.shutdown();
    await store.close();
    await tracing?.shutdown();
    throw err;
  }
}

/** The start line: JSON on standard output with `--json`, and the human lines on standard error. */
function announce(io: CliIo, json: boolean, config: ServerConfig, running: RunningServer): void {
  const { url, host, port } = running;
  const auth = config.auth ? 'on' : 'off';
  const store = config.store === 'sqlite' ? 'sqlite' : 'postgres';
  if (json) {
    printStartLine(io, {
      address: url,
      host,
      port,
      pid: process.pid,
      namespace: config.namespace,
      store,
      dataDir: path.resolve(config.dataDir),
      auth,
      version: aionVersion(),
      ...consoleField(running),
    });
  }
  io.stderr(
    `aion server listening on ${url} (namespace ${config.namespace}, store ${store === 'sqlite' ? path.join(config.dataDir, 'aion.db') : 'postgres'}, auth ${auth === 'off' ? 'off (--no-auth: loopback names only)' : 'on'})\n`,
  );
  announceConsole(io, running);
}

/** The console's address for the JSON start line (absent when the console is off). */
export function consoleField(running: RunningServer): { console?: string } {
  return running.server.console.state === 'off' ? {} : { console: `${running.url}/` };
}

/** `console: http://127.0.0.1:7233/` on standard error (with a hint when it is not built). */
export function announceConsole(io: CliIo, running: RunningServer): void {
  const status = running.server.console;
  if (status.state === 'off') return;
  const hint = status.state === 'missing' ? ' (not built: run npm run build)' : '';
  io.stderr(`console: ${running.url}/${hint}\n`);
}

/**
 * The first admin key, created at the first start: written to `initialKeyFile` (mode 0600) or
 * printed on standard error, once — it is not stored anywhere else.
 */
function showFirstKey(io: CliIo, config: ServerConfig, server: AionServer): void {
  const first = server.firstAdminKey;
  if (first === undefined) return;
  if (config.initialKeyFile !== undefined) {
    writeFileSync(config.initialKeyFile, `${first.token}\n`, { mode: 0o600, flag: 'wx' });
    io.stderr(
      `created the first admin key ${first.key.id}; its token is in ${config.initialKeyFile}\n`,
    );
    return;
  }
  io.stderr(
    `created the first admin key ${first.key.id} (shown once; keep it, e.g. export AION_API_KEY=…):\n${first.token}\n`,
  );
}

/** `aion server`. */
export function registerServerCommands(program: Command, io: CliIo): void {
  registerServerCommand(program, io);
}

/** The console's settings as flags. */
function withConsoleOptions(command: Command): Command {
  return command
    .option('--no-console', 'do not serve the ops console at /')
    .option('--console-dir <dir>', 'directory of the console build (default: dist/console)')
    .option('--console-session-ttl <duration>', 'how long a console sign-in lasts (default 1h)')
    .option(
      '--trace-url <template>',
      'link trace ids in the console, e.g. http://127.0.0.1:16686/trace/{traceId}',
    );
}

function registerServerCommand(program: Command, io: CliIo): void {
  withConsoleOptions(withRunFileOptions(program.command('server')))
    .description(
      'run the Aion server: HTTP/JSON API, event stream and worker protocol on the engine',
    )
    .option('--config <file>', 'config file (default: ./aion.config.json if present)')
    .option('--host <host>', 'interface to bind (default 127.0.0.1)')
    .option('--port <port>', 'TCP port (default 7233; 0 picks a free one)')
    .option('--data-dir <dir>', 'data directory: SQLite store, API keys, audit log (default .aion)')
    .option('--store <store>', '"sqlite" (default) or a postgres:// connection string')
    .option('--cluster', 'join the cluster of servers sharing the PostgreSQL store')
    .option('--node-name <name>', "this server's name in node rows and shard leases")
    .option('--workflows <path>', 'workflow module to build and deploy at startup')
    .option('--activities <module...>', 'activity modules to run in-process (.ts or .js)')
    .option('--package <file...>', 'package files (.aion) to deploy at startup')
    .option('--namespace <name>', 'namespace served (default "default")')
    .option('--no-auth', 'serve without API keys (loopback only; requests to loopback names only)')
    .option('--initial-key-file <file>', 'write the first admin key here instead of printing it')
    .option('--log-level <level>', 'debug | info | warn | error | silent')
    .option(
      '--examples',
      'deploy the bundled examples with their activities (try: aion start helloWorld --arg \'"you"\')',
    )
    .action(async (flags: ServerFlags) => {
      const config = loadConfig({
        ...(flags.config ? { file: flags.config } : {}),
        flags: {
          host: flags.host,
          port: flags.port !== undefined ? Number(flags.port) : undefined,
          dataDir: flags.dataDir,
          store: flags.store,
          cluster: flags.cluster === true ? true : undefined,
          nodeName: flags.nodeName,
          workflowsPath: flags.workflows,
          packages: flags.package,
          namespace: flags.namespace,
          auth: flags.auth === false ? false : undefined,
          initialKeyFile: flags.initialKeyFile,
          logLevel: flags.logLevel,
          console: flags.console === false ? false : undefined,
          consoleDir: flags.consoleDir,
          consoleSessionTtl: flags.consoleSessionTtl,
          traceUrl: flags.traceUrl,
        },
      });
      const running = await startServer(config, {
        ...(flags.activities ? { activities: flags.activities } : {}),
        ...(flags.examples ? { examples: true } : {}),
      });
      const { server } = running;
      const removeRunFiles = await writeRunFilesOrDrain(server, flags, running.port);
      // before the listening line, which scripts wait for
      if (running.tracing) io.stderr(`exporting traces: ${running.tracing.description}\n`);
      showFirstKey(io, config, server);
      announce(io, program.opts<{ json: boolean }>().json, config, running);
      await untilSignalled(
        async (signal) => {
          io.stderr(`${signal}: draining…\n`);
          const exit = exitWithin(config.drainGraceMs + config.drainTimeoutMs + EXIT_MARGIN_MS, io);
          try {
            await server.drain();
          } catch (err) {
            io.stderr(`drain failed: ${(err as Error).message}\n`);
          } finally {
            removeRunFiles();
          }
          // spans of the drain itself are exported before the process ends
          await running.tracing
            ?.shutdown()
            .catch((err: unknown) => io.stderr(`trace export: ${(err as Error).message}\n`));
          exit.finished();
        },
        io,
        removeRunFiles,
      );
    });
}

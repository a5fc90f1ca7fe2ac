import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { AionError, isAionError } from '../../core/index.js';
import {
  buildPackage,
  checkWorkflows,
  readArchive,
  shortVersion,
  type CheckFinding,
} from '../../package/index.js';
import { historyExport, type HistoryExport } from '../../core/index.js';
import { decodePayloads } from '../../codecs/index.js';
import { payloadCodecsOf } from '../../server/index.js';
import {
  loadHistoryFile,
  replayHistories,
  writeHistoryFile,
  type ReplayWorkflows,
} from '../../testing/index.js';
import { printResult, QuietFailure, type CliIo } from '../output.js';
import { remoteHistory } from './remote/index.js';

interface BuildOptions {
  readonly out: string;
  readonly name?: string;
}

interface ReplayOptions {
  readonly package: string;
  readonly history: string[];
}

/** `<name>-<short hash>.aion`: the file name of a built package. */
export function packageFileName(name: string, version: string): string {
  return `${name}-${shortVersion(version)}.aion`;
}

async function readInput(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new AionError(
      'invalid_argument',
      `cannot read ${what} ${file}: ${(err as Error).message}`,
      { path: file },
    );
  }
}

/** A `.aion` archive is used as built; anything else is treated as workflow source to build. */
async function workflowsFrom(spec: string): Promise<ReplayWorkflows> {
  if (spec.endsWith('.aion')) {
    const loaded = readArchive(await readInput(spec, 'package'));
    return { bundle: loaded.bundle, version: loaded.version };
  }
  return spec;
}

interface HistoryOptions {
  readonly dataDir: string;
  readonly namespace: string;
  readonly runId?: string;
  readonly out?: string;
}

/** Reads one run's history from an embedded SQLite store (without taking its owner lock). */
async function exportHistory(workflowId: string, options: HistoryOptions): Promise<HistoryExport> {
  const dbFile = path.join(options.dataDir, 'aion.db');
  if (!existsSync(dbFile)) {
    throw new AionError('not_found', `no Aion store at ${dbFile}`, { path: dbFile });
  }
  const { openSqliteStore } = await import('../../store/sqlite/index.js');
  const store = await openSqliteStore({ path: dbFile, exclusive: false });
  try {
    const run = options.runId
      ? await store.getRun({ namespace: options.namespace, workflowId, runId: options.runId })
      : await store.getCurrentRun(options.namespace, workflowId);
    if (!run) {
      throw new AionError(
        'not_found',
        `workflow ${JSON.stringify(workflowId)}${options.runId ? ` run ${options.runId}` : ''} not found in namespace ${options.namespace}`,
        { workflowId },
      );
    }
    // Payloads as stored; decoded when the keys that encrypted them are in the environment.
    const codecs = payloadCodecsOf({
      encryptionKeys: process.env.AION_ENCRYPTION_KEYS || undefined,
      payloadCompressionThreshold: 0,
    });
    return historyExport(run, decodePayloads(await store.readHistory(run), codecs));
  } finally {
    await store.close();
  }
}

/** `aion build`, `aion check`, `aion history` and `aion replay`: package tooling on files, no running engine. */
export function registerPackageCommands(program: Command, io: CliIo): void {
  registerBuildCommand(program, io);
  registerCheckCommand(program, io);
  registerHistoryCommand(program, io);
  registerReplayCommand(program, io);
}

function registerBuildCommand(program: Command, io: CliIo): void {
  program
    .command('build')
    .description('build a workflow package (<name>-<short hash>.aion) from a workflow module')
    .argument('[path]', 'workflow file, or a directory holding index.ts/workflows.ts', '.')
    .option('--out <dir>', 'directory to write the package to', '.')
    .option('--name <name>', 'package name (default: the workflow file name)')
    .action(async (source: string, options: BuildOptions) => {
      const json = program.opts<{ json: boolean }>().json;
      const built = await buildPackage({
        workflowsPath: source,
        ...(options.name ? { name: options.name } : {}),
      });
      await mkdir(options.out, { recursive: true });
      const file = path.join(options.out, packageFileName(built.manifest.name, built.version));
      await writeFile(file, built.archive);
      const summary = {
        file,
        version: built.version,
        name: built.manifest.name,
        size: built.archive.byteLength,
        workflowTypes: built.manifest.workflowTypes.map((t) => t.name),
      };
      printResult(io, json, summary, () =>
        [
          `built ${file} (${summary.size} bytes)`,
          `version ${built.version}`,
          `workflow types: ${summary.workflowTypes.join(', ')}`,
        ].join('\n'),
      );
    });
}

function registerCheckCommand(program: Command, io: CliIo): void {
  program
    .command('check')
    .description(
      'statically check workflow code reachable from the entry for non-deterministic or forbidden APIs',
    )
    .argument('[path]', 'workflow file, or a directory holding index.ts/workflows.ts', '.')
    .option('--strict', 'fail on warnings too')
    .action(async (source: string, options: { strict?: boolean }) => {
      const json = program.opts<{ json: boolean }>().json;
      const result = await checkWorkflows({ workflowsPath: source });
      printResult(io, json, result, () => formatCheck(result.findings, result.files.length));
      const failing = result.errors + (options.strict ? result.warnings : 0);
      if (failing > 0) {
        throw new QuietFailure(
          new AionError(
            'workflow_check_failed',
            `${result.errors} error(s), ${result.warnings} warning(s) in workflow code`,
          ),
        );
      }
    });
}

function registerHistoryCommand(program: Command, io: CliIo): void {
  program
    .command('history')
    .description(
      "export one run's history as JSON (the format `aion replay` and replayHistory read), from a server or a data directory",
    )
    .argument('<workflowId>', 'the workflow id')
    .option('--run-id <runId>', 'a specific run (default: the current run)')
    .option('--namespace <namespace>', 'namespace', 'default')
    .option(
      '--data-dir <dir>',
      'read an embedded SQLite data directory directly instead of asking a server',
    )
    .option('--address <url>', 'server address (env AION_ADDRESS; default http://127.0.0.1:7233)')
    .option('--api-key <key>', 'API key (env AION_API_KEY)')
    .option('--out <file>', 'write to a file instead of standard output')
    .option(
      '--decode',
      'ask the server to decode payloads (operator or admin key); with --data-dir, payloads are decoded with AION_ENCRYPTION_KEYS when set',
    )
    .action(
      async (
        workflowId: string,
        options: Omit<HistoryOptions, 'dataDir'> & {
          decode?: boolean;
          dataDir?: string;
          address?: string;
          apiKey?: string;
        },
      ) => {
        if (options.dataDir === undefined) {
          await remoteHistory(workflowId, options, io);
          return;
        }
        const history = await exportHistory(workflowId, { ...options, dataDir: options.dataDir });
        if (options.out) {
          await writeHistoryFile(options.out, history);
          io.stderr(
            `wrote ${history.events.length} events of ${history.workflowId}/${history.runId} to ${options.out}\n`,
          );
        } else {
          io.stdout(`${JSON.stringify(history, null, 2)}\n`);
        }
      },
    );
}

function registerReplayCommand(program: Command, io: CliIo): void {
  program
    .command('replay')
    .description(
      'replay recorded histories against a package and report OK or the exact divergence',
    )
    .requiredOption('--package <file>', 'a built .aion package, or a workflow source path to build')
    .requiredOption(
      '--history <file...>',
      'history JSON files (as written by fetchHistory / writeHistoryFile)',
    )
    .action(async (options: ReplayOptions) => {
      const json = program.opts<{ json: boolean }>().json;
      const workflows = await workflowsFrom(options.package);
      const histories = await Promise.all(
        options.history.map(async (file) => {
          try {
            return await loadHistoryFile(file);
          } catch (err) {
            if (isAionError(err))
              throw new AionError(err.code, `${file}: ${err.message}`, err.details);
            throw new AionError(
              'invalid_argument',
              `cannot read history ${file}: ${(err as Error).message}`,
              { path: file },
            );
          }
        }),
      );
      const results = await replayHistories(histories, workflows);
      const rows = results.map((r, i) => ({
        file: options.history[i],
        workflowId: r.workflowId,
        runId: r.runId,
        ok: r.ok,
        ...(r.ok
          ? { activations: r.activations }
          : {
              error: isAionError(r.error)
                ? r.error.toJSON()
                : { code: 'internal', message: r.error.message },
            }),
      }));
      printResult(io, json, { results: rows }, () =>
        rows
          .map((r) =>
            r.ok
              ? `OK    ${r.file} (${r.workflowId})`
              : `FAIL  ${r.file} (${r.workflowId}): ${'error' in r ? `[${r.error.code}] ${r.error.message}` : ''}`,
          )
          .join('\n'),
      );
      const failed = results.find((r) => !r.ok);
      if (failed && !failed.ok) {
        const code = isAionError(failed.error) ? failed.error.code : 'internal';
        throw new QuietFailure(
          new AionError(
            code,
            `${results.filter((r) => !r.ok).length} of ${results.length} histories did not replay`,
          ),
        );
      }
    });
}

function formatCheck(findings: readonly CheckFinding[], fileCount: number): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${f.file}:${f.line}:${f.column}  ${f.severity}  ${f.rule}  ${f.message}`);
    lines.push(`    hint: ${f.hint}`);
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  lines.push(
    `${fileCount} file(s) checked: ${errors} error(s), ${findings.length - errors} warning(s)`,
  );
  return lines.join('\n');
}

export { QuietFailure } from '../output.js';

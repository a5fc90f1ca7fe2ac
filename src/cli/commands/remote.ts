import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AionError, type HistoryEvent } from '../../core/index.js';
import {
  Client,
  Connection,
  type BatchJobInfo,
  type BatchOperation,
  type NamespaceDescription,
} from '../../client/remote.js';
import type { WorkflowExecutionInfo, WorkflowStartOptions } from '../../client/types.js';
import { printResult, type CliIo } from '../output.js';

interface RemoteFlags {
  readonly address?: string;
  readonly apiKey?: string;
  readonly namespace?: string;
}

function withRemote(cmd: Command): Command {
  return cmd
    .option('--address <url>', 'server address (env AION_ADDRESS; default http://127.0.0.1:7233)')
    .option('--api-key <key>', 'API key (env AION_API_KEY)')
    .option('--namespace <name>', 'namespace (env AION_NAMESPACE; default "default")');
}

async function clientFor(flags: RemoteFlags): Promise<Client> {
  const connection = await Connection.connect({
    ...(flags.address ? { address: flags.address } : {}),
    ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
  });
  return new Client({ connection, ...(flags.namespace ? { namespace: flags.namespace } : {}) });
}

/** Parses `--arg` values: each is JSON, or taken as a plain string when it is not valid JSON. */
function parseArgs(values: readonly string[] | undefined): unknown[] {
  return (values ?? []).map((v) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  });
}

function parseJsonOption(
  value: string | undefined,
  flag: string,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AionError(
    'invalid_argument',
    `${flag} must be a JSON object, e.g. '{"CustomerId":"c-1"}'`,
    { field: flag },
  );
}

function show(value: unknown): string {
  return value === undefined ? '(no value)' : JSON.stringify(value, null, 2);
}

function date(d: Date | undefined): string {
  return d
    ? d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : '-';
}

/** Renders rows as an aligned table. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  style: (column: number, padded: string, value: string) => string = (_c, padded) => padded,
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], styled: boolean): string =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        return styled ? style(i, padded, c) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(headers, false), ...rows.map((r) => line(r, true))].join('\n');
}

const ANSI = { green: 32, cyan: 36, yellow: 33, red: 31 } as const;

/** Status colours on a terminal (off with NO_COLOR or when piped). */
function colourStatus(io: CliIo, status: string, text: string = status): string {
  if (!io.isTTY || process.env.NO_COLOR) return text;
  const colour =
    status === 'COMPLETED'
      ? 'green'
      : status === 'RUNNING' || status === 'PAUSED'
        ? 'cyan'
        : status === 'CANCELLED' || status === 'CONTINUED_AS_NEW'
          ? 'yellow'
          : 'red';
  return `\u001b[${ANSI[colour]}m${text}\u001b[39m`;
}

interface StartFlags extends RemoteFlags {
  readonly workflowId?: string;
  readonly arg?: string[];
  readonly taskQueue?: string;
  readonly searchAttributes?: string;
  readonly memo?: string;
  readonly executionTimeout?: string;
  readonly runTimeout?: string;
  readonly idReusePolicy?: string;
  readonly idConflictPolicy?: string;
  readonly requestId?: string;
}

function startOptions(flags: StartFlags): WorkflowStartOptions {
  const sa = parseJsonOption(flags.searchAttributes, '--search-attributes');
  const memo = parseJsonOption(flags.memo, '--memo');
  return {
    ...(flags.workflowId ? { workflowId: flags.workflowId } : {}),
    args: parseArgs(flags.arg),
    ...(flags.taskQueue ? { taskQueue: flags.taskQueue } : {}),
    ...(sa ? { searchAttributes: sa } : {}),
    ...(memo ? { memo } : {}),
    ...(flags.executionTimeout ? { executionTimeout: flags.executionTimeout } : {}),
    ...(flags.runTimeout ? { runTimeout: flags.runTimeout } : {}),
    ...(flags.idReusePolicy
      ? {
          workflowIdReusePolicy: flags.idReusePolicy as NonNullable<
            WorkflowStartOptions['workflowIdReusePolicy']
          >,
        }
      : {}),
    ...(flags.idConflictPolicy
      ? {
          workflowIdConflictPolicy: flags.idConflictPolicy as NonNullable<
            WorkflowStartOptions['workflowIdConflictPolicy']
          >,
        }
      : {}),
    ...(flags.requestId ? { requestId: flags.requestId } : {}),
  };
}

function startCommand(cmd: Command): Command {
  return withRemote(cmd)
    .argument('<workflowType>', 'the workflow type (exported function name)')
    .option('--workflow-id <id>', 'business id (default: a random UUID)')
    .option(
      '--arg <json...>',
      'workflow arguments, each as JSON (a bare word is taken as a string)',
    )
    .option('--task-queue <name>', 'task queue')
    .option('--search-attributes <json>', 'initial search attributes as a JSON object')
    .option('--memo <json>', 'memo as a JSON object')
    .option('--execution-timeout <duration>', "limit of the whole workflow, e.g. '7 days'")
    .option('--run-timeout <duration>', "limit of one run, e.g. '1 hour'")
    .option(
      '--id-reuse-policy <policy>',
      'ALLOW_DUPLICATE | ALLOW_DUPLICATE_FAILED_ONLY | REJECT_DUPLICATE',
    )
    .option('--id-conflict-policy <policy>', 'FAIL | USE_EXISTING | TERMINATE_EXISTING')
    .option('--request-id <key>', 'idempotency key: a retried start returns the same run');
}

/** Commands that talk to a running server: workflows, packages. */
export function registerRemoteCommands(program: Command, io: CliIo): void {
  const json = (): boolean => program.opts<{ json: boolean }>().json;

  startCommand(program.command('start').description('start a workflow and print its ids')).action(
    async (type: string, flags: StartFlags) => {
      const client = await clientFor(flags);
      const handle = await client.workflow.start(type, startOptions(flags));
      const d = await handle.describe();
      printResult(
        io,
        json(),
        { workflowId: d.workflowId, runId: d.runId },
        () => `started ${d.workflowId} run ${d.runId}`,
      );
    },
  );

  startCommand(
    program.command('execute').description('start a workflow and wait for its result'),
  ).action(async (type: string, flags: StartFlags) => {
    const client = await clientFor(flags);
    const handle = await client.workflow.start(type, startOptions(flags));
    const result = await handle.result();
    printResult(io, json(), { workflowId: handle.workflowId, result: result ?? null }, () =>
      show(result),
    );
  });

  withRemote(program.command('signal').description('send a signal to a workflow'))
    .argument('<workflowId>')
    .argument('<signal>', 'signal name')
    .option('--arg <json...>', 'signal arguments, each as JSON')
    .option('--run-id <runId>', 'a specific run')
    .option('--request-id <key>', 'idempotency key: a retried signal is recorded once')
    .action(
      async (
        id: string,
        signal: string,
        flags: RemoteFlags & { arg?: string[]; runId?: string; requestId?: string },
      ) => {
        const handle = (await clientFor(flags)).getHandle(id, flags.runId);
        if (flags.requestId)
          await handle.signalWithRequestId(flags.requestId, signal, ...parseArgs(flags.arg));
        else await handle.signal(signal, ...parseArgs(flags.arg));
        printResult(io, json(), { ok: true }, () => `signalled ${id}: ${signal}`);
      },
    );

  withRemote(program.command('query').description("query a workflow's state"))
    .argument('<workflowId>')
    .argument('<query>', 'query name (or __stack_trace)')
    .option('--arg <json...>', 'query arguments, each as JSON')
    .option('--run-id <runId>', 'a specific run')
    .action(
      async (
        id: string,
        query: string,
        flags: RemoteFlags & { arg?: string[]; runId?: string },
      ) => {
        const result = await (
          await clientFor(flags)
        )
          .getHandle(id, flags.runId)
          .query(query, ...parseArgs(flags.arg));
        printResult(io, json(), { result: result ?? null }, () =>
          typeof result === 'string' ? result : show(result),
        );
      },
    );

  withRemote(program.command('update').description('send an update and wait for its result'))
    .argument('<workflowId>')
    .argument('<update>', 'update name')
    .option('--arg <json...>', 'update arguments, each as JSON')
    .option('--update-id <id>', 'idempotency key of the update')
    .option('--run-id <runId>', 'a specific run')
    .action(
      async (
        id: string,
        update: string,
        flags: RemoteFlags & { arg?: string[]; runId?: string; updateId?: string },
      ) => {
        const result = await (
          await clientFor(flags)
        )
          .getHandle(id, flags.runId)
          .executeUpdate(update, {
            args: parseArgs(flags.arg),
            ...(flags.updateId ? { updateId: flags.updateId } : {}),
          });
        printResult(io, json(), { result: result ?? null }, () => show(result));
      },
    );

  for (const [action, description] of [
    ['cancel', 'request cooperative cancellation of a workflow'],
    ['terminate', 'end a workflow at once (no workflow code runs)'],
    ['pause', 'stop a workflow from advancing until resumed'],
  ] as const) {
    withRemote(program.command(action).description(description))
      .argument('<workflowId>')
      .option('--reason <text>', 'reason (recorded)')
      .option('--run-id <runId>', 'a specific run')
      .action(async (id: string, flags: RemoteFlags & { reason?: string; runId?: string }) => {
        await (await clientFor(flags)).getHandle(id, flags.runId)[action](flags.reason);
        printResult(io, json(), { ok: true }, () => `${action} ${id}: ok`);
      });
  }

  withRemote(program.command('resume').description('resume a paused workflow'))
    .argument('<workflowId>')
    .option('--run-id <runId>', 'a specific run')
    .action(async (id: string, flags: RemoteFlags & { runId?: string }) => {
      await (await clientFor(flags)).getHandle(id, flags.runId).resume();
      printResult(io, json(), { ok: true }, () => `resume ${id}: ok`);
    });

  withRemote(
    program.command('reset').description('start a new run from a workflow-task boundary of a run'),
  )
    .argument('<workflowId>')
    .option('--run-id <runId>', 'the run to reset (default: current)')
    .option(
      '--to <point>',
      'a WorkflowTaskCompleted seq, firstWorkflowTask or lastWorkflowTask',
      'lastWorkflowTask',
    )
    .option('--reason <text>', 'reason (recorded)')
    .option('--version <version>', 'package version of the new run')
    .action(
      async (
        id: string,
        flags: RemoteFlags & { runId?: string; to: string; reason?: string; version?: string },
      ) => {
        const to = /^\d+$/.test(flags.to)
          ? Number(flags.to)
          : (flags.to as 'firstWorkflowTask' | 'lastWorkflowTask');
        const handle = await (await clientFor(flags)).getHandle(id, flags.runId).reset({
          to,
          ...(flags.reason ? { reason: flags.reason } : {}),
          ...(flags.version ? { version: flags.version } : {}),
        });
        printResult(
          io,
          json(),
          { workflowId: handle.workflowId, runId: handle.runId },
          () => `reset ${id}: new run ${handle.runId}`,
        );
      },
    );

  withRemote(program.command('describe').description("show a workflow run's state"))
    .argument('<workflowId>')
    .option('--run-id <runId>', 'a specific run')
    .action(async (id: string, flags: RemoteFlags & { runId?: string }) => {
      const d = await (await clientFor(flags)).getHandle(id, flags.runId).describe();
      printResult(io, json(), d, () =>
        [
          `workflow   ${d.workflowId}`,
          `run        ${d.runId}`,
          `type       ${d.workflowType}`,
          `status     ${colourStatus(io, d.status)}${d.stuck ? ` (stuck since ${date(d.stuck.since)}: ${d.stuck.reason})` : ''}`,
          `version    ${d.version.slice(0, 12)}`,
          `queue      ${d.taskQueue}`,
          `started    ${date(d.startTime)}`,
          `closed     ${date(d.closeTime)}`,
          `history    ${d.historyLength} events`,
          ...(d.pendingActivities.length > 0
            ? [
                'activities',
                ...d.pendingActivities.map(
                  (a) =>
                    `  ${a.activityId} ${a.activityType} ${a.state} attempt ${a.attempt}${a.lastFailure ? ` last failure: ${a.lastFailure.message}` : ''}`,
                ),
              ]
            : []),
          ...(d.pendingTimers.length > 0
            ? ['timers', ...d.pendingTimers.map((t) => `  ${t.timerId} fires ${date(t.fireAt)}`)]
            : []),
        ].join('\n'),
      );
    });

  withRemote(program.command('watch').description("follow a run's events live until it closes"))
    .argument('<workflowId>')
    .option('--run-id <runId>', 'a specific run (default: the current run)')
    .option('--from-seq <n>', 'first event to show', '1')
    .option('--no-follow', 'stop at the end of this run instead of following continue-as-new')
    .action(
      async (
        id: string,
        flags: RemoteFlags & { runId?: string; fromSeq: string; follow: boolean },
      ) => {
        const fromSeq = Number(flags.fromSeq);
        if (!Number.isSafeInteger(fromSeq) || fromSeq < 1) {
          throw new AionError('invalid_argument', '--from-seq must be a positive integer', {
            field: 'fromSeq',
          });
        }
        const handle = (await clientFor(flags)).getHandle(id, flags.runId);
        const stream = handle.subscribe({ fromSeq, follow: flags.follow });
        for await (const event of stream) {
          if (json()) {
            io.stdout(`${JSON.stringify({ runId: stream.runId, ...event })}\n`);
          } else {
            io.stdout(
              `${String(event.seq).padStart(5)}  ${new Date(event.recordedAt).toISOString()}  ${event.type}${summary(event)}\n`,
            );
          }
        }
      },
    );

  withRemote(program.command('list').description('list workflows (visibility query language)'))
    .argument('[query]', "e.g. \"WorkflowType = 'order' AND ExecutionStatus = 'RUNNING'\"")
    .option('--page-size <n>', 'rows per page', '50')
    .option('--cursor <cursor>', 'continue from a previous page')
    .action(
      async (
        query: string | undefined,
        flags: RemoteFlags & { pageSize: string; cursor?: string },
      ) => {
        const pageSize = Number(flags.pageSize);
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
          throw new AionError(
            'invalid_argument',
            '--page-size must be an integer between 1 and 1000',
            { field: 'pageSize' },
          );
        }
        const page = await (
          await clientFor(flags)
        ).workflow.list({
          ...(query ? { query } : {}),
          pageSize,
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
        });
        printResult(io, json(), page, () => listTable(io, page.items, page.nextCursor));
      },
    );

  withRemote(program.command('count').description('count workflows matching a query'))
    .argument('[query]', 'visibility query')
    .action(async (query: string | undefined, flags: RemoteFlags) => {
      const count = await (await clientFor(flags)).workflow.count(query ? { query } : {});
      printResult(io, json(), { count }, () => String(count));
    });

  withRemote(
    program.command('deploy').description('deploy a package file (.aion) to the server (admin)'),
  )
    .argument('<file>', 'package file built by aion build')
    .action(async (file: string, flags: RemoteFlags) => {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new AionError(
          'invalid_argument',
          `cannot read package ${file}: ${(err as Error).message}`,
          { path: file },
        );
      }
      const result = await (await clientFor(flags)).deploy(bytes);
      printResult(
        io,
        json(),
        result,
        () =>
          `deployed ${result.version.slice(0, 12)}${result.freshlyLoaded ? '' : ' (already deployed)'}${result.routeChanged ? '; routes updated' : ''}`,
      );
    });

  withRemote(program.command('versions').description('list deployed package versions')).action(
    async (flags: RemoteFlags) => {
      const versions = await (await clientFor(flags)).versions();
      printResult(io, json(), { versions }, () =>
        table(
          ['VERSION', 'NAME', 'DEPLOYED', 'ROUTED TYPES', 'OPEN RUNS'],
          versions.map((v) => [
            v.version.slice(0, 12),
            v.name,
            date(v.deployedAt),
            v.routedTypes.join(',') || '-',
            String(v.openRuns),
          ]),
        ),
      );
    },
  );

  withRemote(
    program
      .command('route')
      .description('route a workflow type to a deployed version (rollback/roll-forward)'),
  )
    .argument('<workflowType>')
    .argument('<version>', 'full package version (sha-256 hex)')
    .action(async (type: string, version: string, flags: RemoteFlags) => {
      await (await clientFor(flags)).route(type, version);
      printResult(io, json(), { ok: true }, () => `routed ${type} -> ${version.slice(0, 12)}`);
    });

  registerBatchCommands(program, io);

  const nsCmd = program.command('namespace').description('namespaces: isolated sets of workflows');
  const nsLine = (n: NamespaceDescription): string =>
    `${n.name}  retention ${n.retentionMs === null ? 'forever' : `${Math.round(n.retentionMs / 3_600_000)}h`}${n.description ? `  ${n.description}` : ''}`;
  withRemote(nsCmd.command('create').description('create a namespace (admin)'))
    .argument('<name>')
    .option('--description <text>', 'description')
    .option(
      '--retention <duration>',
      "keep closed runs this long, e.g. '30 days' (default: forever)",
    )
    .action(
      async (name: string, flags: RemoteFlags & { description?: string; retention?: string }) => {
        const created = await (
          await clientFor(flags)
        ).createNamespace(name, {
          ...(flags.description ? { description: flags.description } : {}),
          ...(flags.retention ? { retention: flags.retention } : {}),
        });
        printResult(
          io,
          json(),
          created,
          () => `${created.created ? 'created' : 'exists'}: ${nsLine(created)}`,
        );
      },
    );
  withRemote(nsCmd.command('list').description('list namespaces')).action(
    async (flags: RemoteFlags) => {
      const list = await (await clientFor(flags)).listNamespaces();
      printResult(io, json(), { namespaces: list }, () => list.map(nsLine).join('\n'));
    },
  );
  withRemote(nsCmd.command('describe').description("show a namespace's settings"))
    .argument('[name]', 'namespace (default: --namespace)')
    .action(async (name: string | undefined, flags: RemoteFlags) => {
      const client = await clientFor(flags);
      const n = await client.describeNamespace(name ?? client.namespace);
      printResult(io, json(), n, () => nsLine(n));
    });
  withRemote(
    nsCmd.command('update').description("change a namespace's description or retention (admin)"),
  )
    .argument('<name>')
    .option('--description <text>', 'description')
    .option(
      '--retention <duration>',
      "keep closed runs this long, e.g. '30 days'; 'forever' keeps them",
    )
    .action(
      async (name: string, flags: RemoteFlags & { description?: string; retention?: string }) => {
        if (flags.description === undefined && flags.retention === undefined) {
          throw new AionError('invalid_argument', 'pass --description and/or --retention', {
            field: 'settings',
          });
        }
        const n = await (
          await clientFor(flags)
        ).updateNamespace(name, {
          ...(flags.description !== undefined ? { description: flags.description } : {}),
          ...(flags.retention !== undefined
            ? { retention: flags.retention === 'forever' ? null : flags.retention }
            : {}),
        });
        printResult(io, json(), n, () => `updated: ${nsLine(n)}`);
      },
    );

  const sa = program
    .command('search-attribute')
    .description('custom search attributes of a namespace');
  withRemote(sa.command('list').description('list registered search attributes')).action(
    async (flags: RemoteFlags) => {
      const attrs = await (await clientFor(flags)).searchAttributes();
      printResult(io, json(), { searchAttributes: attrs }, () =>
        Object.keys(attrs).length === 0
          ? 'no custom search attributes'
          : table(
              ['NAME', 'TYPE'],
              Object.entries(attrs).map(([n, t]) => [n, t]),
            ),
      );
    },
  );
  withRemote(sa.command('register').description('register search attributes (admin)'))
    .argument('<name:type...>', 'e.g. CustomerId:Keyword Amount:Double')
    .action(async (pairs: string[], flags: RemoteFlags) => {
      const defs: Record<string, string> = {};
      for (const pair of pairs) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*):([A-Za-z]+)$/.exec(pair);
        if (!m) {
          throw new AionError(
            'invalid_argument',
            `${JSON.stringify(pair)} is not name:type (types: Keyword, KeywordList, Text, Int, Double, Bool, Datetime)`,
            { field: 'searchAttribute' },
          );
        }
        defs[m[1]!] = m[2]!;
      }
      await (await clientFor(flags)).registerSearchAttributes(defs);
      printResult(io, json(), { ok: true }, () => `registered ${Object.keys(defs).join(', ')}`);
    });

  withRemote(
    program
      .command('unload')
      .description('unload a package version (refused while routed or pinned)'),
  )
    .argument('<version>', 'full package version (sha-256 hex)')
    .action(async (version: string, flags: RemoteFlags) => {
      await (await clientFor(flags)).unload(version);
      printResult(io, json(), { ok: true }, () => `unloaded ${version.slice(0, 12)}`);
    });
}

function batchLine(job: BatchJobInfo): string {
  return `${job.jobId}  ${job.state}  ${job.operation.type}  matched ${job.matched}, done ${job.succeeded}, skipped ${job.skipped}, failed ${job.failed}${job.error ? `  error: ${job.error}` : ''}`;
}

function registerBatchCommands(program: Command, io: CliIo): void {
  const json = (): boolean => program.opts<{ json: boolean }>().json;
  const batch = program
    .command('batch')
    .description('operations on every workflow a visibility query matches');
  withRemote(batch.command('start').description('start a batch job'))
    .requiredOption(
      '--query <query>',
      'visibility query selecting the runs, e.g. "WorkflowType = \'order\'"',
    )
    .option('--cancel', 'request cancellation of each run')
    .option('--terminate', 'terminate each run')
    .option('--signal <name>', 'send this signal to each run (with --arg)')
    .option('--reset [to]', 'reset each run (to firstWorkflowTask, lastWorkflowTask or a seq)')
    .option('--arg <json...>', 'signal arguments, each as JSON')
    .option('--reason <text>', 'reason recorded with cancel, terminate or reset')
    .option('--job-id <id>', 'job id (re-submitting the same id is idempotent for signals)')
    .option('--wait', 'wait for the job to finish, printing progress')
    .action(
      async (
        flags: RemoteFlags & {
          query: string;
          cancel?: boolean;
          terminate?: boolean;
          signal?: string;
          reset?: string | boolean;
          arg?: string[];
          reason?: string;
          jobId?: string;
          wait?: boolean;
        },
      ) => {
        const chosen = [flags.cancel, flags.terminate, flags.signal, flags.reset].filter(
          (v) => v !== undefined && v !== false,
        );
        if (chosen.length !== 1) {
          throw new AionError(
            'invalid_argument',
            'choose exactly one operation: --cancel, --terminate, --signal <name> or --reset [to]',
            { field: 'operation' },
          );
        }
        const reason = flags.reason ? { reason: flags.reason } : {};
        let operation: BatchOperation;
        if (flags.cancel) operation = { type: 'cancel', ...reason };
        else if (flags.terminate) operation = { type: 'terminate', ...reason };
        else if (flags.signal)
          operation = { type: 'signal', signal: flags.signal, args: parseArgs(flags.arg) };
        else {
          const to = typeof flags.reset === 'string' ? flags.reset : undefined;
          operation = {
            type: 'reset',
            ...reason,
            ...(to !== undefined
              ? {
                  to: /^\d+$/.test(to)
                    ? Number(to)
                    : (to as 'firstWorkflowTask' | 'lastWorkflowTask'),
                }
              : {}),
          };
        }
        const client = await clientFor(flags);
        let job = await client.batch.start({
          query: flags.query,
          operation,
          ...(flags.jobId ? { jobId: flags.jobId } : {}),
        });
        while (flags.wait && job.state === 'RUNNING') {
          await new Promise((r) => setTimeout(r, 500));
          job = await client.batch.describe(job.jobId);
          if (!json() && io.isTTY) io.stderr(`\r${batchLine(job)}`);
        }
        if (!json() && io.isTTY && flags.wait) io.stderr('\n');
        printResult(io, json(), job, () => batchLine(job));
      },
    );
  withRemote(batch.command('describe').description("show a batch job's progress"))
    .argument('<jobId>')
    .action(async (jobId: string, flags: RemoteFlags) => {
      const job = await (await clientFor(flags)).batch.describe(jobId);
      printResult(io, json(), job, () =>
        [
          batchLine(job),
          ...job.failures.map((f) => `  ${f.workflowId} ${f.runId}: [${f.code}] ${f.message}`),
        ].join('\n'),
      );
    });
  withRemote(batch.command('list').description('list batch jobs')).action(
    async (flags: RemoteFlags) => {
      const jobs = await (await clientFor(flags)).batch.list();
      printResult(io, json(), { jobs }, () =>
        jobs.length === 0 ? 'no batch jobs' : jobs.map(batchLine).join('\n'),
      );
    },
  );
  withRemote(batch.command('stop').description('stop a running batch job'))
    .argument('<jobId>')
    .action(async (jobId: string, flags: RemoteFlags) => {
      const job = await (await clientFor(flags)).batch.stop(jobId);
      printResult(io, json(), job, () => batchLine(job));
    });
}

/** A short, human description of what an event carries. */
function summary(event: HistoryEvent): string {
  const e = event as HistoryEvent & Record<string, unknown>;
  const parts: string[] = [];
  for (const key of [
    'workflowType',
    'activityType',
    'signalName',
    'timerId',
    'reason',
    'newRunId',
    'childWorkflowId',
  ]) {
    if (typeof e[key] === 'string') parts.push(`${key}=${e[key]}`);
  }
  const failure = e.failure as { message?: string } | undefined;
  if (failure?.message) parts.push(`failure=${JSON.stringify(failure.message)}`);
  return parts.length > 0 ? `  ${parts.join(' ')}` : '';
}

function listTable(
  io: CliIo,
  items: readonly WorkflowExecutionInfo[],
  nextCursor: string | undefined,
): string {
  const body = table(
    ['WORKFLOW ID', 'TYPE', 'STATUS', 'STARTED', 'CLOSED'],
    items.map((i) => [
      i.workflowId,
      i.workflowType,
      i.status,
      date(i.startTime),
      date(i.closeTime),
    ]),
    (column, padded, value) => (column === 2 ? colourStatus(io, value, padded) : padded),
  );
  return nextCursor ? `${body}\n(more: --cursor ${nextCursor})` : body;
}

/** `aion history` against a server: the replayable JSON export of one run. */
export async function remoteHistory(
  workflowId: string,
  flags: RemoteFlags & { runId?: string; out?: string },
  io: CliIo,
): Promise<void> {
  const history = await (await clientFor(flags)).getHandle(workflowId, flags.runId).fetchHistory();
  if (flags.out) {
    await writeFile(flags.out, `${JSON.stringify(history, null, 2)}\n`);
    io.stderr(
      `wrote ${history.events.length} events of ${history.workflowId}/${history.runId} to ${flags.out}\n`,
    );
  } else {
    io.stdout(`${JSON.stringify(history, null, 2)}\n`);
  }
}

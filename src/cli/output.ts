import { AionError, isAionError } from '../core/index.js';

/** Where CLI commands write; injectable so tests can capture output. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTTY: boolean;
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
};

type Hints = Partial<Record<AionError['code'], string>>;

const HINTS: Hints = {
  store_locked:
    'stop the other Aion process using this data directory, or point --data-dir elsewhere',
  store_schema_too_new: 'upgrade Aion to the version that wrote this store',
  store_corrupt:
    'stop the server and restore the data directory from a backup (`aion backup` takes one while the server runs); see docs/operations.md#backup-and-restore',
  store_not_aion:
    'point --data-dir at an Aion data directory; this file belongs to another program, or is damaged beyond recognition (then restore it from a backup)',
  store_unavailable:
    'check that the store is reachable (for PostgreSQL: the connection string and server)',
  usage: 'run `aion --help` or `aion <command> --help`',
  invalid_argument: 'check the command arguments; `aion <command> --help` lists them',
  unavailable:
    'is `aion server` running? pass --address (or set AION_ADDRESS) to reach another server',
  unauthenticated:
    'pass --api-key (or set AION_API_KEY); an admin creates keys with `aion key create --role <role>`',
  permission_denied:
    'use a key with a role that allows this action (see docs/api.md#authentication-and-roles)',
  not_found: 'check the id and --namespace; `aion list` shows the workflows of a namespace',
  workflow_already_started:
    'the workflow id is in use: pick another --workflow-id, or pass --id-conflict-policy USE_EXISTING',
  unknown_workflow_type:
    'deploy a package exporting it (`aion deploy`), or check `aion versions` for the routed types',
  workflow_closed: 'the run has ended; `aion describe` shows how',
  invalid_state: 'the target is not in a state that allows this; the message names what holds it',
  package_invalid: 'rebuild the package with `aion build` from this Aion version',
  package_build_failed: 'fix the workflow code; `aion check` lists forbidden APIs',
  package_version_missing: 'deploy the missing version again (`aion deploy <file>`)',
  workflow_check_failed:
    'move I/O, timers and host APIs into activities; see docs/packages.md#static-check-aion-check',
  nondeterminism:
    'the code no longer replays this history: guard the change with patched(), or deploy it as a new version',
  payload_too_large: 'send less data (or raise the limit in the server configuration)',
  history_too_large:
    'the run has no room left in its history: terminate it; the workflow should continueAsNew before its limits (see docs/operations.md#history-and-per-run-limits)',
  run_limit_exceeded:
    'the workflow keeps too much pending or does too much in one task; see docs/operations.md#history-and-per-run-limits',
  rate_limited: 'retry after a pause',
  workflow_failed: 'inspect the run with `aion describe` and `aion history`',
  unknown_query: 'check the query name; `__stack_trace` is always available',
  unknown_update: 'check the update name the workflow registers with setHandler',
  resource_exhausted:
    'the workflow keeps too much in memory: hold large data in activities or the store, or raise workflowHeapLimitMb; deploy fixed code to re-pin the stuck run',
};

/** Hints a command gave its own errors, in place of the general hint of their code. */
const commandHints = new WeakMap<AionError, string>();

/** Gives one error a hint that fits where it was raised better than its code's general one. */
export function withHint<E extends AionError>(error: E, hint: string): E {
  commandHints.set(error, hint);
  return error;
}

/**
 * Runs a command's action; an `AionError` it throws whose code `hints` names is reported
 * with that hint, which fits the command better than the general one of its code.
 */
export async function withHints<T>(hints: Hints, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    const hint = isAionError(err) ? hints[err.code] : undefined;
    if (hint !== undefined) commandHints.set(err as AionError, hint);
    throw err;
  }
}

/** Prints an error with its code and a hint; returns the exit code from the registry. */
export function reportError(io: CliIo, error: unknown, json: boolean): number {
  const err = isAionError(error)
    ? error
    : new AionError('internal', error instanceof Error ? error.message : String(error));
  if (json) {
    io.stdout(`${JSON.stringify({ error: err.toJSON() })}\n`);
  } else {
    io.stderr(`error[${err.code}]: ${err.message}\n`);
    const hint = commandHints.get(err) ?? HINTS[err.code];
    if (hint) io.stderr(`hint: ${hint}\n`);
  }
  return err.exitCode;
}

/** Writes a result as JSON (`--json`) or as human-readable lines. */
export function printResult(io: CliIo, json: boolean, value: unknown, human: () => string): void {
  io.stdout(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** An error already reported in the command's output: main() exits with its code, printing nothing more. */
export class QuietFailure extends Error {
  constructor(readonly failure: AionError) {
    super(failure.message);
  }
}

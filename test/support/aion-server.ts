/**
 * `aion server` as a process on a free port, on a data directory, serving the workflows (and,
 * unless told otherwise, the in-process activities) of test/server/fixtures.
 */
import { activitiesPath, fixturesPath } from '../server/helpers.js';
import { firstLine, spawnAion, until, type AionProcess } from './aion-process.js';

export interface ServerSpawnOptions {
  /** `--json` before the command: the start line on standard output is JSON. Default false. */
  readonly json?: boolean;
  /** Require API keys (no `--no-auth`). Default false. */
  readonly auth?: boolean;
  /** Serve the fixture activities in-process (`--activities`). Default true. */
  readonly activities?: boolean;
  /** `--log-level`; `null` leaves the server's default. Default `warn`. */
  readonly logLevel?: string | null;
  /** Further arguments after the others. */
  readonly args?: readonly string[];
  /** Environment added to this process's. */
  readonly env?: Record<string, string>;
}

/** The arguments of `aion [--json] server …` on `dataDir`. */
export function serverArgs(dataDir: string, options: ServerSpawnOptions = {}): string[] {
  const logLevel = options.logLevel === undefined ? 'warn' : options.logLevel;
  return [
    ...(options.json === true ? ['--json'] : []),
    'server',
    '--port',
    '0',
    ...(options.auth === true ? [] : ['--no-auth']),
    '--data-dir',
    dataDir,
    '--workflows',
    fixturesPath,
    ...(options.activities === false ? [] : ['--activities', activitiesPath]),
    ...(logLevel === null ? [] : ['--log-level', logLevel]),
    ...(options.args ?? []),
  ];
}

/** Spawns `aion server` on `dataDir`; the caller waits for what it needs and kills it. */
export function spawnServer(dataDir: string, options: ServerSpawnOptions = {}): AionProcess {
  return spawnAion(serverArgs(dataDir, options), options.env ? { env: options.env } : {});
}

/** The JSON start line of a server spawned with `json: true`, once it is printed. */
export async function startLine(
  p: AionProcess,
): Promise<Record<string, unknown> & { address: string }> {
  const line = await until('the start line', () => firstLine(p.stdout()));
  return JSON.parse(line) as Record<string, unknown> & { address: string };
}

/** The URL from the server's `listening on …` line on standard error; rejects if it exits first. */
export async function listeningUrl(p: AionProcess): Promise<string> {
  const exited = p.exited.then((code) => {
    throw new Error(`server exited with ${code}:\n${p.stderr()}`);
  });
  const listening = until(
    'the server to listen',
    () => /listening on (http:\/\/\S+)/.exec(p.stderr())?.[1],
  );
  return Promise.race([listening, exited]);
}

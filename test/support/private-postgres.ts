/**
 * A private PostgreSQL cluster for tests that stop, restart or kill the database: `initdb` into
 * a temp dir, a random free port, `pg_ctl` as the `postgres` user (via `runuser` when the test
 * runs as root). The shared instance on 5432 is never touched.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readdirSync, existsSync } from 'node:fs';
import pg from 'pg';

const run = promisify(execFile);

/** The directory holding `initdb`, `pg_ctl` and `postgres` (newest installed major). */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((d) => existsSync(path.join(base, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : path.join(base, majors[0], 'bin');
}

/** True when a private cluster can be started here (binaries present, `runuser` if root). */
export function canRunPrivatePostgres(): boolean {
  return postgresBinDir() !== undefined;
}

export interface PrivatePostgres {
  readonly port: number;
  /** Connection string of the `postgres` database of this cluster. */
  readonly url: string;
  /** Stops the cluster (`-m fast` by default; `immediate` is a crash of the database). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** `pg_ctl restart -m immediate`: the database crashes and comes back. */
  restartImmediate(): Promise<void>;
  /** Terminates every backend of other sessions; returns how many were terminated. */
  terminateBackends(): Promise<number>;
  /** Stops the cluster and removes its files. */
  destroy(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the `postgres` user. */
async function asPostgres(bin: string, args: readonly string[]): Promise<string> {
  const cmd = isRoot() ? 'runuser' : bin;
  const argv = isRoot() ? ['-u', 'postgres', '--', bin, ...args] : [...args];
  const { stdout } = await run(cmd, argv, { timeout: 120_000 });
  return stdout;
}

/** Creates and starts a private cluster. Call `destroy()` in `afterAll`. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
  const dir = await mkdtemp(path.join(tmpdir(), 'aion-pg-'));
  await chmod(dir, 0o755);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'log');
  if (isRoot()) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await asPostgres(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgCtl = (...args: string[]): Promise<string> =>
    asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', ...args]);
  const start = async (): Promise<void> => {
    await pgCtl('-o', opts, 'start');
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let destroyed = false;
  return {
    port,
    url,
    start,
    stop: async (mode = 'fast') => {
      await pgCtl('-m', mode, 'stop');
    },
    restartImmediate: async () => {
      await pgCtl('-m', 'immediate', '-o', opts, 'restart');
    },
    terminateBackends: async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined);
      await c.connect();
      try {
        const r = await c.query<{ n: string }>(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n
             FROM pg_stat_activity
            WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        );
        return Number(r.rows[0]?.n ?? 0);
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

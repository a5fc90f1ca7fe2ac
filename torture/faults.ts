// Faults a trial injects while the workload runs. Each returns what it did (for the trial's
// JSON line). Faults of PostgreSQL act on the trial's private cluster, never on a shared one.
import type { PrivatePostgres } from '../test/support/private-postgres.js';
import type { Subject } from './subjects.js';

/** What a fault may act on. */
export interface FaultTarget {
  /** The private cluster, when the trial runs on PostgreSQL. */
  readonly pg?: PrivatePostgres;
  readonly subject: Subject;
  /** True once the workload finished (a fault may stop early then). */
  readonly workloadDone: () => boolean;
  /** The workload's ack file (journal.ts). */
  readonly ackFile: string;
}

export interface Fault {
  readonly name: string;
  readonly description: string;
  inject(target: FaultTarget): Promise<Record<string, unknown>>;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cluster(target: FaultTarget): PrivatePostgres {
  if (!target.pg) throw new Error('a PostgreSQL fault needs a trial on PostgreSQL');
  return target.pg;
}

/** `pg_terminate_backend` of every client connection, in rounds over a few seconds. */
export const terminateBackends: Fault = {
  name: 'pg-terminate',
  description: 'pg_terminate_backend of every connection, 6 rounds 700 ms apart',
  inject: async (target) => {
    const pg = cluster(target);
    let terminated = 0;
    for (let round = 0; round < 6; round++) {
      if (round > 0) await pause(700);
      terminated += await pg.terminateBackends();
    }
    return { rounds: 6, terminated };
  },
};

/** `pg_ctl restart -m immediate`: the database crashes and comes back. */
export const restartImmediate: Fault = {
  name: 'pg-restart-immediate',
  description: 'pg_ctl restart -m immediate',
  inject: async (target) => {
    const pg = cluster(target);
    const t = Date.now();
    await pg.restartImmediate();
    return { restartMs: Date.now() - t };
  },
};

/** The database stopped for 10 s, then started. */
export const stopTenSeconds: Fault = {
  name: 'pg-down-10s',
  description: 'pg_ctl stop -m fast, 10 s down, pg_ctl start',
  inject: async (target) => {
    const pg = cluster(target);
    const t = Date.now();
    await pg.stop('fast');
    await pause(10_000);
    await pg.start();
    return { downMs: Date.now() - t };
  },
};

/** The PostgreSQL faults, in the order trials rotate through them. */
export const PG_FAULTS: readonly Fault[] = [terminateBackends, restartImmediate, stopTenSeconds];

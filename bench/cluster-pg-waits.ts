// What the PostgreSQL backends serving a phase's nodes were doing, sampled from
// pg_stat_activity every SAMPLE_MS: working (on CPU, or waiting on a lock or on I/O inside
// the database) or waiting for their Aion process (idle, or idle inside a transaction while
// the process prepares its next statement). Backends mostly working means the database is
// the bottleneck; backends mostly waiting for their clients means it is not.
import pg from 'pg';
import { PG_URL } from './engine-common.js';
import { round } from './lib.js';

const SAMPLE_MS = 100;
const CLIENT = 'client';

export interface PgWaits {
  readonly samples: number;
  /** Backend connections seen per sample, on average. */
  readonly backends: number;
  /** Share of backend samples working, in all and by what: CPU, or a wait event type. */
  readonly working: number;
  readonly workingBy: Record<string, number>;
  /** Share of backend samples waiting for their Aion process inside a transaction. */
  readonly clientInTransaction: number;
  /** Share of backend samples idle (no transaction open). */
  readonly idle: number;
}

export class PgWaitSampler {
  readonly #schema: string;
  readonly #client: pg.Client;
  readonly #counts = new Map<string, number>();
  #samples = 0;
  #backendSamples = 0;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  private constructor(schema: string, client: pg.Client) {
    this.#schema = schema;
    this.#client = client;
  }

  static async start(schema: string): Promise<PgWaitSampler> {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const sampler = new PgWaitSampler(schema, client);
    sampler.#timer = setInterval(() => void sampler.#sample(), SAMPLE_MS);
    return sampler;
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { rows } = await this.#client.query<{ state: string; wait: string | null }>(
        `SELECT state, wait_event_type AS wait FROM pg_stat_activity
          WHERE application_name IN (SELECT app_name FROM "${this.#schema}".nodes)`,
      );
      this.#samples++;
      for (const { state, wait } of rows) {
        this.#backendSamples++;
        const key =
          state === 'idle'
            ? 'idle'
            : state !== 'active' || wait === 'Client'
              ? CLIENT
              : (wait ?? 'CPU');
        this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
      }
    } catch {
      // a sample lost (e.g. the schema's nodes table not there yet) is only a sample
    } finally {
      this.#busy = false;
    }
  }

  async stop(): Promise<PgWaits> {
    clearInterval(this.#timer);
    while (this.#busy) await new Promise((r) => setTimeout(r, 10));
    await this.#client.end();
    const share = (n: number): number => round(n / Math.max(1, this.#backendSamples), 3);
    const workingBy: Record<string, number> = {};
    let working = 0;
    for (const [key, n] of this.#counts) {
      if (key === 'idle' || key === CLIENT) continue;
      workingBy[key] = share(n);
      working += n;
    }
    return {
      samples: this.#samples,
      backends: round(this.#backendSamples / Math.max(1, this.#samples), 1),
      working: share(working),
      workingBy,
      clientInTransaction: share(this.#counts.get(CLIENT) ?? 0),
      idle: share(this.#counts.get('idle') ?? 0),
    };
  }
}

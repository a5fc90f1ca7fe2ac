// The LISTEN connection of a PostgreSQL inbox: one dedicated client (a pool connection would
// go back to the pool and lose its LISTEN), reconnected with backoff when it drops. It is
// only a shortcut: the inbox polls as well, so nothing is lost when notifications are (a
// dropped connection, a pooler such as PgBouncer in transaction mode that does not pass
// them through).

/** A `pg.Client`, structurally. */
export interface ListenClientLike {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<unknown>;
  on(event: 'notification', listener: (message: NotificationLike) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

export interface NotificationLike {
  readonly channel: string;
  readonly payload?: string | undefined;
}

/** Opens a new, unconnected client for LISTEN. */
export type ListenClientFactory = () => ListenClientLike;

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export class InboxListener {
  readonly #factory: ListenClientFactory;
  readonly #channels: readonly string[];
  readonly #onNotify: (channel: string, payload: string) => void;
  #client: ListenClientLike | undefined;
  #started = false;
  #closed = false;
  #backoffMs = MIN_BACKOFF_MS;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    factory: ListenClientFactory,
    channels: readonly string[],
    onNotify: (channel: string, payload: string) => void,
  ) {
    this.#factory = factory;
    this.#channels = channels;
    this.#onNotify = onNotify;
  }

  /** Whether the client is connected and listening. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Connects (once; later calls do nothing). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    let client: ListenClientLike;
    try {
      client = this.#factory();
    } catch {
      this.#scheduleRetry();
      return;
    }
    let failed = false;
    // An error or end of this client (at any time) retires it and schedules the next one; an
    // error never escapes to the process.
    const fail = (): void => {
      if (failed) return;
      failed = true;
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => {});
      this.#scheduleRetry();
    };
    client.on('error', fail);
    client.on('end', fail);
    client.on('notification', (m) => this.#onNotify(m.channel, m.payload ?? ''));
    try {
      await client.connect();
      // Channel names are built from validated schema names (see inbox-channels.ts).
      for (const channel of this.#channels) await client.query(`LISTEN "${channel}"`);
    } catch {
      fail();
      return;
    }
    if (failed) return;
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#backoffMs = MIN_BACKOFF_MS;
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== undefined) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#connect();
    }, delay);
    this.#retry.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await client.end().catch(() => {});
  }
}

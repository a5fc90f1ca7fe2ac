// Heartbeats of one running attempt, throttled: several per heartbeat timeout, at most one
// a second; the latest details win and values JSON cannot carry are sent as undefined.
/** Sends an attempt's heartbeat details at most every `everyMs`, the latest ones first. */
export class HeartbeatThrottle {
  readonly #everyMs: number;
  readonly #send: (details: unknown) => void;
  readonly #live: () => boolean;
  #lastSentAt = 0;
  #pending: { details: unknown } | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** `live` is false once the attempt finished: a delayed heartbeat is then dropped. */
  constructor(
    heartbeatTimeoutMs: number | undefined,
    send: (details: unknown) => void,
    live: () => boolean,
  ) {
    // Several heartbeats per timeout window, at most one a second.
    this.#everyMs = Math.max(10, Math.min(1000, Math.floor((heartbeatTimeoutMs ?? 3000) / 3)));
    this.#send = send;
    this.#live = live;
  }

  beat(details: unknown): void {
    const now = Date.now();
    const wait = this.#lastSentAt + this.#everyMs - now;
    if (wait <= 0 && this.#timer === undefined) {
      this.#lastSentAt = now;
      this.#send(jsonSafe(details));
      return;
    }
    this.#pending = { details };
    this.#timer ??= setTimeout(
      () => {
        this.#timer = undefined;
        const pending = this.#pending;
        this.#pending = undefined;
        if (pending === undefined || !this.#live()) return;
        this.#lastSentAt = Date.now();
        this.#send(jsonSafe(pending.details));
      },
      Math.max(0, wait),
    );
  }

  /** Drops a delayed heartbeat (the attempt finished). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }
}

function jsonSafe(value: unknown): unknown {
  try {
    JSON.stringify(value);
    return value;
  } catch {
    return undefined;
  }
}

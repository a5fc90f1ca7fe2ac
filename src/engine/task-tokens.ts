// The secrets that sign task tokens, kept in the store so every node signs and verifies
// alike: created on first use (one per store), rotatable (the newest live secret signs, every
// live one verifies until retired), re-read every few seconds to follow rotations elsewhere.
// Signing is switched on by `load()` — the server does it at start, since task tokens leave
// the process there; an embedded engine that never loads keeps unsigned tokens.
import { randomBytes } from 'node:crypto';
import {
  decodeTaskToken,
  encodeTaskToken,
  signTaskToken,
  verifyTaskToken,
  type TaskTokenFields,
  type TokenKey,
} from '../activity/internal.js';
import { AionError } from '../core/index.js';
import type { Store, TokenSecret } from '../store/index.js';

const REFRESH_MS = 5000;

function newSecret(now: number): TokenSecret {
  return {
    id: randomBytes(6).toString('hex'),
    secret: randomBytes(32).toString('base64url'),
    createdAt: now,
    retiredAt: null,
  };
}

export class TaskTokens {
  readonly #store: Store;
  readonly #now: () => number;
  #signer: TokenKey | undefined;
  #keys = new Map<string, Uint8Array>();
  #loading: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Whether `load()` switched signing on (tokens must then be signed to verify). */
  #required = false;

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** True while signing is switched on but no secret is loaded yet. */
  get pending(): boolean {
    return this.#required && this.#signer === undefined;
  }

  /** Loads the secrets (creating the first one if the store has none), then keeps them fresh. */
  load(): Promise<void> {
    this.#required = true;
    this.#loading ??= this.#refresh(true).then(() => {
      this.#timer ??= setInterval(
        () => void this.#refresh(false).catch(() => undefined),
        REFRESH_MS,
      );
      this.#timer.unref();
    });
    // A failed first load is tried again by the next caller.
    this.#loading.catch(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #refresh(create: boolean): Promise<void> {
    let secrets = await this.#store.listTokenSecrets();
    if (create && !secrets.some((s) => s.retiredAt === null)) {
      await this.#store.addTokenSecret(newSecret(this.#now()), { onlyIfNone: true });
      secrets = await this.#store.listTokenSecrets();
    }
    const live = secrets.filter((s) => s.retiredAt === null);
    this.#keys = new Map(live.map((s) => [s.id, Buffer.from(s.secret, 'base64url')]));
    const newest = live[0];
    this.#signer = newest && { id: newest.id, key: this.#keys.get(newest.id)! };
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  sign(fields: TaskTokenFields): string {
    if (this.#signer === undefined) {
      if (this.#required) {
        throw new AionError('unavailable', 'task-token secrets are not loaded yet; retry', {});
      }
      return encodeTaskToken(fields);
    }
    return signTaskToken(fields, this.#signer);
  }

  /**
   * The token's fields if a live secret signed it (`task_token_invalid` otherwise) — or, while
   * signing is off, if it is well formed.
   */
  verify(token: string): TaskTokenFields {
    return this.#required ? verifyTaskToken(token, this.#keys) : decodeTaskToken(token);
  }

  /** Adds a new secret that signs from now on; older live secrets keep verifying. */
  async rotate(): Promise<string> {
    const secret = newSecret(this.#now());
    await this.#store.addTokenSecret(secret);
    await this.#refresh(false);
    return secret.id;
  }

  /** Retires every live secret but the newest: tokens they signed stop verifying. */
  async retireOld(): Promise<string[]> {
    const live = (await this.#store.listTokenSecrets()).filter((s) => s.retiredAt === null);
    const old = live.slice(1).map((s) => s.id);
    for (const id of old) await this.#store.retireTokenSecret(id, this.#now());
    await this.#refresh(false);
    return old;
  }
}

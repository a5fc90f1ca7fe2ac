// Console session cookies are signed like task tokens (ADR 0010), with keys derived from the
// same per-cluster secrets kept in the store: every node signs and verifies alike, a rotation
// is followed within seconds, and retiring a secret ends the sessions it signed. The derived
// key (HMAC of a fixed label under the secret) keeps a session value from ever being a valid
// task-token signature and the other way round.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AionError } from '../../core/index.js';
import type { Store } from '../../store/index.js';

const LABEL = 'aion console session v1';
const VERSION = 's1';
const REFRESH_MS = 5000;

/** What a session value carries: the key it stands for and when it ends (ms). */
export interface SessionClaims {
  readonly keyId: string;
  readonly expiresAt: number;
}

function mac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

/**
 * Signs and verifies session values `s1.<secretId>.<keyId>.<expires, s>.<hmac>` with the
 * live task-token secrets: the newest signs, every live one verifies.
 */
export class SessionSigner {
  readonly #store: Store;
  #keys = new Map<string, Buffer>();
  #signer: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Loads the secrets, then follows rotations until {@link stop}. */
  async start(): Promise<void> {
    await this.#refresh();
    this.#timer = setInterval(() => void this.#refresh().catch(() => undefined), REFRESH_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #refresh(): Promise<void> {
    const live = (await this.#store.listTokenSecrets()).filter((s) => s.retiredAt === null);
    this.#keys = new Map(
      live.map((s) => [s.id, mac(Buffer.from(s.secret, 'base64url'), LABEL)] as const),
    );
    this.#signer = live[0]?.id;
  }

  sign(claims: SessionClaims): string {
    const id = this.#signer;
    const key = id === undefined ? undefined : this.#keys.get(id);
    if (id === undefined || key === undefined) {
      throw new AionError('unavailable', 'session secrets are not loaded yet; retry', {});
    }
    const body = `${VERSION}.${id}.${claims.keyId}.${Math.floor(claims.expiresAt / 1000)}`;
    return `${body}.${mac(key, body).toString('base64url')}`;
  }

  /** The claims of a value a live secret signed, ended or not; undefined for anything else. */
  verify(value: string): SessionClaims | undefined {
    const parts = value.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) return undefined;
    const [, id, keyId, expires, signature] = parts as [string, string, string, string, string];
    const key = this.#keys.get(id);
    if (key === undefined || !/^[0-9a-f]{8}$/.test(keyId) || !/^\d{1,12}$/.test(expires)) {
      return undefined;
    }
    const expected = mac(key, `${VERSION}.${id}.${keyId}.${expires}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { keyId, expiresAt: Number(expires) * 1000 };
  }
}

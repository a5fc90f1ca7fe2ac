// Console session cookies are signed like task tokens (ADR 0010), with keys derived from the
// same per-cluster secrets kept in the store: every node signs and verifies alike, a rotation
// is followed within seconds, and retiring a secret ends the sessions it signed. The derived
// key (HMAC of a fixed label under the secret) keeps a session value from ever being a valid
// task-token signature and the other way round.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AionError } from '../../core/index.js';
import type { Store } from '../../store/index.js';

const LABEL = 'aion console session v1';
const VERSION = 's2';
/** Values of earlier versions (no session id) verify until they expire. */
const V1 = 's1';
const REFRESH_MS = 5000;

/** What a session value carries: the key it stands for and when it ends (ms). */
export interface SessionClaims {
  readonly keyId: string;
  readonly expiresAt: number;
  /**
   * The sign-in this value continues (renewals keep it): signing out ends the sockets it
   * opened. A new one is drawn when signing without it.
   */
  readonly sessionId?: string;
}

function mac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

/**
 * Signs and verifies session values `s2.<secretId>.<keyId>.<sessionId>.<expires, s>.<hmac>`
 * with the live task-token secrets: the newest signs, every live one verifies. Values of the
 * form `s1.<secretId>.<keyId>.<expires, s>.<hmac>` (no session id) still verify.
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
    const sessionId = claims.sessionId ?? randomBytes(8).toString('hex');
    const body = `${VERSION}.${id}.${claims.keyId}.${sessionId}.${Math.floor(claims.expiresAt / 1000)}`;
    return `${body}.${mac(key, body).toString('base64url')}`;
  }

  /** The claims of a value a live secret signed, ended or not; undefined for anything else. */
  verify(value: string): SessionClaims | undefined {
    const parts = value.split('.');
    // An `s1` value names no session: the value itself stands for it.
    if (parts[0] === V1 && parts.length === 5) parts.splice(3, 0, '');
    else if (parts[0] !== VERSION || parts.length !== 6) return undefined;
    const [version, id, keyId, sessionId, expires, signature] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const key = this.#keys.get(id);
    if (
      key === undefined ||
      !/^[0-9a-f]{8}$/.test(keyId) ||
      !/^\d{1,12}$/.test(expires) ||
      (version === VERSION && !/^[0-9a-f]{16}$/.test(sessionId))
    ) {
      return undefined;
    }
    const body = [version, id, keyId, ...(version === VERSION ? [sessionId] : []), expires];
    const expected = mac(key, body.join('.'));
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { keyId, expiresAt: Number(expires) * 1000, sessionId: sessionId || value };
  }
}

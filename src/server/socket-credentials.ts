// A WebSocket is authorised once, at its upgrade; this keeps it honest afterwards. Every
// socket opened with an API key (or with a console session standing for one) is re-checked
// each time the node's key snapshot is refreshed from the store (every half second, so a
// revocation made on any node is seen here within a second or so): a revoked or expired key,
// or an ended console session (signed out on this node, or past the latest end this node saw
// of it — renewals move it), closes the socket.
// A check is a lookup in the in-memory snapshot: the cost is one pass over the open sockets
// per refresh, and nothing while the store cannot be read (sockets stay as they are).
import type { ApiKeys } from './api-keys.js';

/** Why a socket's credentials ended: the close reason the socket gets. */
export type CredentialEnd = 'key_revoked' | 'key_expired' | 'session_ended';

/** What a socket was opened with (a principal's key and, from a cookie, its session). */
export interface SocketCredential {
  /** Absent when keys are off (`--no-auth`): nothing to watch. */
  readonly keyId?: string;
  readonly session?: { readonly id: string; readonly expiresAt: number };
}

/** Closes a socket: `reason` is its close reason, `message` for its error frame. */
export type EndSocket = (reason: CredentialEnd, message: string) => void;

interface Watched {
  readonly keyId: string;
  /** The console session's id, for a socket opened with its cookie. */
  readonly sessionId: string | undefined;
  readonly end: EndSocket;
}

const MESSAGES: Readonly<Record<CredentialEnd, string>> = {
  key_revoked: 'the API key this connection was opened with was revoked',
  key_expired: 'the API key this connection was opened with expired',
  session_ended:
    'the console session this connection was opened with ended (signed out, expired, or its API key was revoked or expired); sign in again',
};

export class SocketCredentials {
  readonly #keys: ApiKeys;
  readonly #now: () => number;
  readonly #watched = new Set<Watched>();
  /** The latest end seen on this node of each session with open sockets, and their count. */
  readonly #sessions = new Map<string, { end: number; sockets: number }>();
  #unsubscribe: (() => void) | undefined;

  constructor(keys: ApiKeys, now: () => number = Date.now) {
    this.#keys = keys;
    this.#now = now;
  }

  /** Re-checks the open sockets after each refresh of the key snapshot, until {@link stop}. */
  start(): void {
    this.#unsubscribe ??= this.#keys.onRefresh(() => this.sweep());
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Sockets being watched. */
  get size(): number {
    return this.#watched.size;
  }

  /**
   * Watches a socket opened with `credential`; `end` is called once if they end. Returns the
   * call that stops watching (when the socket closes for another reason).
   */
  watch(credential: SocketCredential, end: EndSocket): () => void {
    if (credential.keyId === undefined) return () => undefined;
    const { session } = credential;
    const watched: Watched = { keyId: credential.keyId, sessionId: session?.id, end };
    this.#watched.add(watched);
    if (session !== undefined) {
      const known = this.#sessions.get(session.id);
      this.#sessions.set(session.id, {
        end: Math.max(known?.end ?? 0, session.expiresAt),
        sockets: (known?.sockets ?? 0) + 1,
      });
    }
    return () => this.#forget(watched);
  }

  /**
   * A request of a console session reached this node with a cookie ending at `expiresAt`
   * (renewed, maybe by another node): its sockets stay open until then.
   */
  sessionSeen(sessionId: string, expiresAt: number): void {
    const known = this.#sessions.get(sessionId);
    if (known !== undefined && expiresAt > known.end) known.end = expiresAt;
  }

  /** Closes the sockets whose key or session ended. */
  sweep(): void {
    const now = this.#now();
    for (const w of this.#watched) {
      let status: ReturnType<ApiKeys['status']>;
      try {
        status = this.#keys.status(w.keyId);
      } catch {
        return; // The snapshot is too old to judge: keep every socket.
      }
      const session = w.sessionId === undefined ? undefined : this.#sessions.get(w.sessionId);
      if (session !== undefined && (status !== 'live' || session.end <= now)) {
        this.#end(w, 'session_ended');
      } else if (status !== 'live') {
        this.#end(w, status === 'expired' ? 'key_expired' : 'key_revoked');
      }
    }
  }

  /** Closes the sockets a console session opened (it was signed out); returns how many. */
  endSession(sessionId: string): number {
    let ended = 0;
    for (const w of this.#watched) {
      if (w.sessionId !== sessionId) continue;
      this.#end(w, 'session_ended');
      ended++;
    }
    return ended;
  }

  #forget(w: Watched): void {
    if (!this.#watched.delete(w) || w.sessionId === undefined) return;
    const session = this.#sessions.get(w.sessionId);
    if (session !== undefined && --session.sockets === 0) this.#sessions.delete(w.sessionId);
  }

  #end(w: Watched, reason: CredentialEnd): void {
    this.#forget(w);
    try {
      w.end(reason, MESSAGES[reason]);
    } catch {
      // A socket that fails to close is closed by its own error handling.
    }
  }
}

// The security part of the store contract: API keys, the audit trail and the secrets that
// sign task tokens. Kept in the store so every node using it sees the same keys, the same
// revocations and the same audit, and so writes are transactions.

/** An API key. The token itself is never stored: only its SHA-256. */
export interface ApiKeyRecord {
  /** Public id (`aion_<id>_…`), unique; never reused, also after revocation. */
  readonly id: string;
  readonly name: string;
  /** `reader`, `operator`, `worker` or `admin` (checked by the server, stored as text). */
  readonly role: string;
  /** Namespaces the key may act in, sorted; `null` for every namespace. */
  readonly namespaces: readonly string[] | null;
  /** Hex SHA-256 of the whole token. */
  readonly hash: string;
  readonly createdAt: number;
  /** When the key stops working (ms); `null` never. */
  readonly expiresAt: number | null;
  /** When the key was revoked; `null` while it is live. A revoked key is never live again. */
  readonly revokedAt: number | null;
  /** Last time the key was used, to the minute or so (`touchApiKey`); `null` never used. */
  readonly lastUsedAt: number | null;
}

/** One line of the audit trail: who did what, where, on what, and how it ended. */
export interface AuditEntry {
  readonly time: number;
  readonly subject: string;
  readonly action: string;
  readonly namespace: string | null;
  readonly target: string | null;
  /** `ok`, `error` (the call was allowed but failed) or `refused` (401/403, token refused). */
  readonly outcome: 'ok' | 'error' | 'refused';
  readonly code: string | null;
  /** How many calls the entry stands for: refused calls are aggregated per subject. */
  readonly count: number;
}

/** An audit entry as stored: `seq` increases with every append. */
export interface AuditRecord extends AuditEntry {
  readonly seq: number;
}

/** A secret that signs task tokens; the newest live one signs, every live one verifies. */
export interface TokenSecret {
  readonly id: string;
  /** Base64url of 32 random bytes. */
  readonly secret: string;
  readonly createdAt: number;
  /** When the secret stopped verifying; `null` while live. */
  readonly retiredAt: number | null;
}

export interface SecurityStore {
  /**
   * Inserts a key; `created: false` (nothing written) if the id exists, or, with `onlyIfNone`,
   * if any key (live or revoked) exists — the arbiter of "the first admin key" between nodes.
   */
  createApiKey(
    record: ApiKeyRecord,
    options?: { readonly onlyIfNone?: boolean },
  ): Promise<{ readonly created: boolean }>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key, revoked ones included, by creation time then id. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /**
   * Revokes a key (idempotent: a second revoke keeps the first time); `undefined` if no key
   * has this id.
   */
  revokeApiKey(id: string, now: number): Promise<ApiKeyRecord | undefined>;
  /** Records a use: `lastUsedAt` becomes `usedAt` unless it is already later. */
  touchApiKey(id: string, usedAt: number): Promise<void>;
  /** Appends entries in one transaction, in order. */
  appendAudit(entries: readonly AuditEntry[]): Promise<void>;
  /** Entries with `seq > afterSeq` and `time >= since`, oldest first, at most `limit`. */
  readAudit(query: {
    readonly afterSeq?: number;
    readonly since?: number;
    readonly limit: number;
  }): Promise<AuditRecord[]>;
  /** Deletes up to `limit` entries older than `before`; returns how many. */
  pruneAudit(before: number, limit: number): Promise<number>;
  /** Every task-token secret, newest first (retired ones included). */
  listTokenSecrets(): Promise<TokenSecret[]>;
  /**
   * Inserts a secret; with `onlyIfNone`, only when no live secret exists (the first use on
   * several nodes at once creates one secret).
   */
  addTokenSecret(
    secret: TokenSecret,
    options?: { readonly onlyIfNone?: boolean },
  ): Promise<{ readonly created: boolean }>;
  /** Retires a secret (idempotent); tokens it signed no longer verify. */
  retireTokenSecret(id: string, now: number): Promise<void>;
}

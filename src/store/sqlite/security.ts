/** API keys, the audit trail and task-token secrets on SQLite. */
import type Database from 'better-sqlite3';
import type { ApiKeyRecord, AuditEntry, AuditRecord, TokenSecret } from '../contract/index.js';
import {
  normalizeApiKey,
  validateApiKeyRecord,
  validateAuditEntry,
  validateTokenSecret,
} from '../shared/index.js';

interface KeyRow {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly namespaces: string | null;
  readonly hash: string;
  readonly created_at: number;
  readonly expires_at: number | null;
  readonly revoked_at: number | null;
  readonly last_used_at: number | null;
}

interface SecretRow {
  readonly id: string;
  readonly secret: string;
  readonly created_at: number;
  readonly retired_at: number | null;
}

type AuditRow = Omit<AuditRecord, never>;

const KEY_COLUMNS =
  'id, name, role, namespaces, hash, created_at, expires_at, revoked_at, last_used_at';
const AUDIT_COLUMNS = 'seq, time, subject, action, namespace, target, outcome, code, count';

function keyFromRow(r: KeyRow): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    namespaces: r.namespaces === null ? null : (JSON.parse(r.namespaces) as string[]),
    hash: r.hash,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

function secretFromRow(r: SecretRow): TokenSecret {
  return { id: r.id, secret: r.secret, createdAt: r.created_at, retiredAt: r.retired_at };
}

export class SecurityTables {
  readonly #db: Database.Database;
  readonly #getKey: Database.Statement<[string], KeyRow>;
  readonly #createKeyTx: Database.Transaction<
    (record: ApiKeyRecord, onlyIfNone: boolean) => boolean
  >;
  /**
   * Inserts audit entries in the transaction already open (validated beforehand): the batch's
   * entries and a run commit's own (`RunCommit.audit`, written by the group commit).
   */
  readonly insertAudit: (entries: readonly AuditEntry[]) => void;
  readonly #appendTx: Database.Transaction<(entries: readonly AuditEntry[]) => void>;
  readonly #addSecretTx: Database.Transaction<(s: TokenSecret, onlyIfNone: boolean) => boolean>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#getKey = db.prepare<[string], KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ?`);
    const anyKey = db.prepare('SELECT 1 FROM api_keys LIMIT 1').pluck();
    const insertKey = db.prepare(
      `INSERT INTO api_keys (${KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    // IMMEDIATE: the "no key yet" check and the insert are one step between connections.
    this.#createKeyTx = db.transaction((r: ApiKeyRecord, onlyIfNone: boolean) => {
      if (onlyIfNone && anyKey.get() !== undefined) return false;
      const ns = r.namespaces === null ? null : JSON.stringify(r.namespaces);
      const values = [r.id, r.name, r.role, ns, r.hash, r.createdAt, r.expiresAt];
      return insertKey.run(...values, r.revokedAt, r.lastUsedAt).changes === 1;
    });
    const insertAudit = db.prepare(
      `INSERT INTO audit_log (time, subject, action, namespace, target, outcome, code, count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertAudit = (entries: readonly AuditEntry[]) => {
      for (const e of entries) {
        insertAudit.run(
          e.time,
          e.subject,
          e.action,
          e.namespace,
          e.target,
          e.outcome,
          e.code,
          e.count,
        );
      }
    };
    this.#appendTx = db.transaction(this.insertAudit);
    const anyLive = db
      .prepare('SELECT 1 FROM token_secrets WHERE retired_at IS NULL LIMIT 1')
      .pluck();
    const insertSecret = db.prepare(
      `INSERT INTO token_secrets (id, secret, created_at, retired_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.#addSecretTx = db.transaction((s: TokenSecret, onlyIfNone: boolean) => {
      if (onlyIfNone && anyLive.get() !== undefined) return false;
      return insertSecret.run(s.id, s.secret, s.createdAt, s.retiredAt).changes === 1;
    });
  }

  createApiKey(record: ApiKeyRecord, onlyIfNone: boolean): { readonly created: boolean } {
    validateApiKeyRecord(record);
    return { created: this.#createKeyTx.immediate(normalizeApiKey(record), onlyIfNone) };
  }

  getApiKey(id: string): ApiKeyRecord | undefined {
    const row = this.#getKey.get(id);
    return row === undefined ? undefined : keyFromRow(row);
  }

  listApiKeys(): ApiKeyRecord[] {
    return this.#db
      .prepare<[], KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`)
      .all()
      .map(keyFromRow);
  }

  revokeApiKey(id: string, now: number): ApiKeyRecord | undefined {
    this.#db
      .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(now, id);
    return this.getApiKey(id);
  }

  touchApiKey(id: string, usedAt: number): void {
    this.#db
      .prepare(
        'UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
      )
      .run(usedAt, id, usedAt);
  }

  appendAudit(entries: readonly AuditEntry[]): void {
    for (const e of entries) validateAuditEntry(e);
    if (entries.length > 0) this.#appendTx.immediate(entries);
  }

  /**
   * Validates audit entries and returns their insert, to run inside a transaction the caller
   * opens (the group commit's): nothing is written if validation throws.
   */
  auditInsert(entries: readonly AuditEntry[]): () => void {
    for (const e of entries) validateAuditEntry(e);
    return () => this.insertAudit(entries);
  }

  readAudit(q: { afterSeq?: number; since?: number; limit: number }): AuditRecord[] {
    return this.#db
      .prepare<[number, number, number], AuditRow>(
        `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > ? AND time >= ? ORDER BY seq LIMIT ?`,
      )
      .all(q.afterSeq ?? 0, q.since ?? 0, Math.max(0, q.limit))
      .map((r) => ({ ...r }));
  }

  pruneAudit(before: number, limit: number): number {
    return this.#db
      .prepare(
        'DELETE FROM audit_log WHERE seq IN (SELECT seq FROM audit_log WHERE time < ? ORDER BY seq LIMIT ?)',
      )
      .run(before, Math.max(0, limit)).changes;
  }

  listTokenSecrets(): TokenSecret[] {
    return this.#db
      .prepare<[], SecretRow>(
        'SELECT id, secret, created_at, retired_at FROM token_secrets ORDER BY created_at DESC, id DESC',
      )
      .all()
      .map(secretFromRow);
  }

  addTokenSecret(secret: TokenSecret, onlyIfNone: boolean): { readonly created: boolean } {
    validateTokenSecret(secret);
    return { created: this.#addSecretTx.immediate(secret, onlyIfNone) };
  }

  retireTokenSecret(id: string, now: number): void {
    this.#db
      .prepare('UPDATE token_secrets SET retired_at = ? WHERE id = ? AND retired_at IS NULL')
      .run(now, id);
  }
}

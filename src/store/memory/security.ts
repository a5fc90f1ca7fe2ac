// The memory store's security rows: API keys, the audit trail and task-token secrets.
// Callers always get copies, as from a SQL store.
import type { ApiKeyRecord, AuditEntry, AuditRecord, TokenSecret } from '../contract/index.js';
import {
  compareApiKeys,
  normalizeApiKey,
  validateApiKeyRecord,
  validateAuditEntry,
  validateTokenSecret,
} from '../shared/index.js';

function copyKey(k: ApiKeyRecord): ApiKeyRecord {
  return { ...k, namespaces: k.namespaces === null ? null : [...k.namespaces] };
}

export class MemorySecurity {
  readonly #keys = new Map<string, ApiKeyRecord>();
  #audit: AuditRecord[] = [];
  #seq = 0;
  readonly #secrets = new Map<string, TokenSecret>();

  createApiKey(record: ApiKeyRecord, onlyIfNone: boolean): { readonly created: boolean } {
    validateApiKeyRecord(record);
    if (this.#keys.has(record.id) || (onlyIfNone && this.#keys.size > 0)) {
      return { created: false };
    }
    this.#keys.set(record.id, normalizeApiKey(record));
    return { created: true };
  }

  getApiKey(id: string): ApiKeyRecord | undefined {
    const k = this.#keys.get(id);
    return k === undefined ? undefined : copyKey(k);
  }

  listApiKeys(): ApiKeyRecord[] {
    return [...this.#keys.values()].sort(compareApiKeys).map(copyKey);
  }

  revokeApiKey(id: string, now: number): ApiKeyRecord | undefined {
    const k = this.#keys.get(id);
    if (k === undefined) return undefined;
    const revoked = k.revokedAt === null ? { ...k, revokedAt: now } : k;
    this.#keys.set(id, revoked);
    return copyKey(revoked);
  }

  touchApiKey(id: string, usedAt: number): void {
    const k = this.#keys.get(id);
    if (k !== undefined && (k.lastUsedAt === null || k.lastUsedAt < usedAt)) {
      this.#keys.set(id, { ...k, lastUsedAt: usedAt });
    }
  }

  /** Validates audit entries and returns their append (done after the batch's run commits). */
  auditInsert(entries: readonly AuditEntry[]): () => void {
    for (const e of entries) validateAuditEntry(e);
    return () => this.appendAudit(entries);
  }

  appendAudit(entries: readonly AuditEntry[]): void {
    for (const e of entries) validateAuditEntry(e);
    for (const e of entries) {
      this.#audit.push({
        seq: ++this.#seq,
        time: e.time,
        subject: e.subject,
        action: e.action,
        namespace: e.namespace,
        target: e.target,
        outcome: e.outcome,
        code: e.code,
        count: e.count,
      });
    }
  }

  readAudit(q: { afterSeq?: number; since?: number; limit: number }): AuditRecord[] {
    const after = q.afterSeq ?? 0;
    const since = q.since ?? 0;
    return this.#audit
      .filter((e) => e.seq > after && e.time >= since)
      .slice(0, Math.max(0, q.limit))
      .map((e) => ({ ...e }));
  }

  pruneAudit(before: number, limit: number): number {
    let n = 0;
    this.#audit = this.#audit.filter((e) => {
      if (n < limit && e.time < before) {
        n++;
        return false;
      }
      return true;
    });
    return n;
  }

  listTokenSecrets(): TokenSecret[] {
    return [...this.#secrets.values()]
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .map((s) => ({ ...s }));
  }

  addTokenSecret(secret: TokenSecret, onlyIfNone: boolean): { readonly created: boolean } {
    validateTokenSecret(secret);
    const live = [...this.#secrets.values()].some((s) => s.retiredAt === null);
    if (this.#secrets.has(secret.id) || (onlyIfNone && live)) return { created: false };
    this.#secrets.set(secret.id, { ...secret });
    return { created: true };
  }

  retireTokenSecret(id: string, now: number): void {
    const s = this.#secrets.get(id);
    if (s !== undefined && s.retiredAt === null) this.#secrets.set(id, { ...s, retiredAt: now });
  }
}

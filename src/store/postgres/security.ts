/** API keys, the audit trail and task-token secrets on PostgreSQL. */
import type {
  ApiKeyRecord,
  AuditEntry,
  AuditRecord,
  CommitOutcome,
  RunCommit,
  TokenSecret,
} from '../contract/index.js';
import {
  normalizeApiKey,
  validateApiKeyRecord,
  validateAuditEntry,
  validateTokenSecret,
} from '../shared/index.js';
import { intArray, textArray } from './arrays.js';
import type { PgDriver, Queryable, Row } from './driver.js';

const KEY_COLUMNS =
  'id, name, role, namespaces, hash, created_at, expires_at, revoked_at, last_used_at';
const AUDIT_COLUMNS = 'seq, time, subject, action, namespace, target, outcome, code, count';

function keyFromRow(r: Row): ApiKeyRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    role: r.role as string,
    namespaces: r.namespaces as string[] | null,
    hash: r.hash as string,
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number | null,
    revokedAt: r.revoked_at as number | null,
    lastUsedAt: r.last_used_at as number | null,
  };
}

function auditFromRow(r: Row): AuditRecord {
  return {
    seq: r.seq as number,
    time: r.time as number,
    subject: r.subject as string,
    action: r.action as string,
    namespace: r.namespace as string | null,
    target: r.target as string | null,
    outcome: r.outcome as AuditRecord['outcome'],
    code: r.code as string | null,
    count: r.count as number,
  };
}

/**
 * Inserts a key. With `onlyIfNone` the table is locked against concurrent inserts for the
 * transaction, so of several nodes starting at once exactly one creates the first key.
 */
export async function createApiKey(
  db: PgDriver,
  s: string,
  record: ApiKeyRecord,
  onlyIfNone: boolean,
): Promise<{ readonly created: boolean }> {
  validateApiKeyRecord(record);
  const r = normalizeApiKey(record);
  return db.tx('createApiKey', async (q: Queryable) => {
    if (onlyIfNone) {
      await q.query(`LOCK TABLE ${s}.api_keys IN SHARE ROW EXCLUSIVE MODE`);
      if ((await q.query(`SELECT 1 FROM ${s}.api_keys LIMIT 1`)).length > 0) {
        return { created: false };
      }
    }
    const rows = await q.query(
      `INSERT INTO ${s}.api_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO NOTHING RETURNING 1`,
      [
        r.id,
        r.name,
        r.role,
        r.namespaces,
        r.hash,
        r.createdAt,
        r.expiresAt,
        r.revokedAt,
        r.lastUsedAt,
      ],
    );
    return { created: rows.length === 1 };
  });
}

export async function getApiKey(
  db: PgDriver,
  s: string,
  id: string,
): Promise<ApiKeyRecord | undefined> {
  const rows = await db.query(
    `SELECT ${KEY_COLUMNS} FROM ${s}.api_keys WHERE id = $1`,
    [id],
    'getApiKey',
  );
  return rows[0] === undefined ? undefined : keyFromRow(rows[0]);
}

export async function listApiKeys(db: PgDriver, s: string): Promise<ApiKeyRecord[]> {
  const rows = await db.query(
    `SELECT ${KEY_COLUMNS} FROM ${s}.api_keys ORDER BY created_at, id`,
    [],
    'listApiKeys',
  );
  return rows.map(keyFromRow);
}

export async function revokeApiKey(
  db: PgDriver,
  s: string,
  id: string,
  now: number,
): Promise<ApiKeyRecord | undefined> {
  const rows = await db.query(
    `UPDATE ${s}.api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${KEY_COLUMNS}`,
    [id, now],
    'revokeApiKey',
  );
  return rows[0] === undefined ? undefined : keyFromRow(rows[0]);
}

export async function touchApiKey(
  db: PgDriver,
  s: string,
  id: string,
  usedAt: number,
): Promise<void> {
  await db.query(
    `UPDATE ${s}.api_keys SET last_used_at = $2
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
    [id, usedAt],
    'touchApiKey',
  );
}

/**
 * Audit entries as one INSERT over arrays (8 parameters from `$first`), in order: the
 * statement of {@link appendAudit}, and a part of a group commit's statement or transaction.
 * Entries must be validated beforehand.
 */
export function auditInsertSql(
  s: string,
  entries: readonly AuditEntry[],
  first: number,
): { readonly sql: string; readonly values: unknown[] } {
  const text = (f: (e: AuditEntry) => string | null): string => textArray(entries.map(f));
  const values = [
    intArray(entries.map((e) => e.time)),
    text((e) => e.subject),
    text((e) => e.action),
    text((e) => e.namespace),
    text((e) => e.target),
    text((e) => e.outcome),
    text((e) => e.code),
    intArray(entries.map((e) => e.count)),
  ];
  const types = ['int8', 'text', 'text', 'text', 'text', 'text', 'text', 'int4'];
  const arrays = types.map((t, i) => `$${first + i}::${t}[]`).join(', ');
  return {
    sql: `INSERT INTO ${s}.audit_log (time, subject, action, namespace, target, outcome, code, count)
       SELECT t, su, a, n, ta, o, c, k
       FROM unnest(${arrays}) WITH ORDINALITY AS u(t, su, a, n, ta, o, c, k, i) ORDER BY i`,
    values,
  };
}

/**
 * What a group commit appends to the audit trail: the entries of the runs whose commit was
 * accepted (every run's when `outcomes` is undefined: the single statement commits all or
 * none), in input order, then the batch's own.
 */
export function auditOf(
  commits: readonly RunCommit[],
  outcomes: readonly CommitOutcome[] | undefined,
  batch: readonly AuditEntry[] | undefined,
): readonly AuditEntry[] {
  let entries: AuditEntry[] | undefined;
  for (let i = 0; i < commits.length; i++) {
    const own = commits[i]!.audit;
    if (own === undefined || own.length === 0) continue;
    if (outcomes !== undefined && !outcomes[i]!.ok) continue;
    (entries ??= []).push(...own);
  }
  if (entries === undefined) return batch ?? [];
  if (batch !== undefined) entries.push(...batch);
  return entries;
}

/** One multi-row INSERT: the entries land together, in order, or not at all. */
export async function appendAudit(
  db: PgDriver,
  s: string,
  entries: readonly AuditEntry[],
): Promise<void> {
  for (const e of entries) validateAuditEntry(e);
  if (entries.length === 0) return;
  const values: unknown[] = [];
  const tuples = entries.map((e, i) => {
    values.push(e.time, e.subject, e.action, e.namespace, e.target, e.outcome, e.code, e.count);
    const b = i * 8;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
  });
  await db.query(
    `INSERT INTO ${s}.audit_log (time, subject, action, namespace, target, outcome, code, count)
     VALUES ${tuples.join(', ')}`,
    values,
    'appendAudit',
  );
}

export async function readAudit(
  db: PgDriver,
  s: string,
  q: { afterSeq?: number; since?: number; limit: number },
): Promise<AuditRecord[]> {
  const rows = await db.query(
    `SELECT ${AUDIT_COLUMNS} FROM ${s}.audit_log WHERE seq > $1 AND time >= $2 ORDER BY seq LIMIT $3`,
    [q.afterSeq ?? 0, q.since ?? 0, Math.max(0, q.limit)],
    'readAudit',
  );
  return rows.map(auditFromRow);
}

export async function pruneAudit(
  db: PgDriver,
  s: string,
  before: number,
  limit: number,
): Promise<number> {
  const rows = await db.query(
    `DELETE FROM ${s}.audit_log WHERE seq IN
       (SELECT seq FROM ${s}.audit_log WHERE time < $1 ORDER BY seq LIMIT $2) RETURNING 1`,
    [before, Math.max(0, limit)],
    'pruneAudit',
  );
  return rows.length;
}

export async function listTokenSecrets(db: PgDriver, s: string): Promise<TokenSecret[]> {
  const rows = await db.query(
    `SELECT id, secret, created_at, retired_at FROM ${s}.token_secrets ORDER BY created_at DESC, id DESC`,
    [],
    'listTokenSecrets',
  );
  return rows.map((r) => ({
    id: r.id as string,
    secret: r.secret as string,
    createdAt: r.created_at as number,
    retiredAt: r.retired_at as number | null,
  }));
}

export async function addTokenSecret(
  db: PgDriver,
  s: string,
  secret: TokenSecret,
  onlyIfNone: boolean,
): Promise<{ readonly created: boolean }> {
  validateTokenSecret(secret);
  return db.tx('addTokenSecret', async (q: Queryable) => {
    if (onlyIfNone) {
      await q.query(`LOCK TABLE ${s}.token_secrets IN SHARE ROW EXCLUSIVE MODE`);
      const live = await q.query(
        `SELECT 1 FROM ${s}.token_secrets WHERE retired_at IS NULL LIMIT 1`,
      );
      if (live.length > 0) return { created: false };
    }
    const rows = await q.query(
      `INSERT INTO ${s}.token_secrets (id, secret, created_at, retired_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING 1`,
      [secret.id, secret.secret, secret.createdAt, secret.retiredAt],
    );
    return { created: rows.length === 1 };
  });
}

export async function retireTokenSecret(
  db: PgDriver,
  s: string,
  id: string,
  now: number,
): Promise<void> {
  await db.query(
    `UPDATE ${s}.token_secrets SET retired_at = $2 WHERE id = $1 AND retired_at IS NULL`,
    [id, now],
    'retireTokenSecret',
  );
}

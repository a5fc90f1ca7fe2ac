// Checks the adapters run on security rows before writing: a bad row is `invalid_argument`
// naming the field, and nothing is written.
import { invalidArgument, validateNamespace } from '../../core/index.js';
import type { ApiKeyRecord, AuditEntry, TokenSecret } from '../contract/index.js';

function text(value: unknown, field: string, max: number): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw invalidArgument(`${field} must be a string of 1-${max} characters`, { field });
  }
}

function time(value: unknown, field: string, nullable: boolean): void {
  if (nullable && value === null) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`${field} must be a non-negative integer of milliseconds`, { field });
  }
}

export function validateApiKeyRecord(record: ApiKeyRecord): void {
  text(record.id, 'id', 64);
  text(record.name, 'name', 100);
  text(record.role, 'role', 32);
  if (typeof record.hash !== 'string' || !/^[0-9a-f]{64}$/.test(record.hash)) {
    throw invalidArgument('hash must be 64 lower-case hex digits (SHA-256)', { field: 'hash' });
  }
  if (record.namespaces !== null) {
    if (!Array.isArray(record.namespaces) || record.namespaces.length === 0) {
      throw invalidArgument('namespaces must be a non-empty list, or null for every namespace', {
        field: 'namespaces',
      });
    }
    for (const ns of record.namespaces) validateNamespace(ns);
  }
  time(record.createdAt, 'createdAt', false);
  time(record.expiresAt, 'expiresAt', true);
  time(record.revokedAt, 'revokedAt', true);
  time(record.lastUsedAt, 'lastUsedAt', true);
}

export function validateAuditEntry(entry: AuditEntry): void {
  time(entry.time, 'time', false);
  text(entry.subject, 'subject', 200);
  text(entry.action, 'action', 100);
  if (entry.outcome !== 'ok' && entry.outcome !== 'error' && entry.outcome !== 'refused') {
    throw invalidArgument('outcome must be ok, error or refused', { field: 'outcome' });
  }
  if (!Number.isSafeInteger(entry.count) || entry.count < 1) {
    throw invalidArgument('count must be a positive integer', { field: 'count' });
  }
}

export function validateTokenSecret(secret: TokenSecret): void {
  text(secret.id, 'id', 64);
  text(secret.secret, 'secret', 200);
  time(secret.createdAt, 'createdAt', false);
  time(secret.retiredAt, 'retiredAt', true);
}

/** The key with its namespace list sorted and copied (as every adapter stores it). */
export function normalizeApiKey(record: ApiKeyRecord): ApiKeyRecord {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    namespaces: record.namespaces === null ? null : [...new Set(record.namespaces)].sort(),
    hash: record.hash,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    lastUsedAt: record.lastUsedAt,
  };
}

/** Ordering of `listApiKeys`: creation time, then id. */
export function compareApiKeys(a: ApiKeyRecord, b: ApiKeyRecord): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

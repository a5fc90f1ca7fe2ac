/**
 * Checks every adapter runs on namespace registry calls before it writes anything, and the
 * one definition of how a patch changes a record (the SQL adapters mirror it in their UPDATE).
 */
import { AionError, invalidArgument, validateNamespace } from '../../core/index.js';
import type { NamespaceRecord } from '../contract/index.js';

/** Longest namespace description, in UTF-16 code units (the unit `String.length` counts). */
export const MAX_NAMESPACE_DESCRIPTION_LENGTH = 1000;

/** The changes `updateNamespace` accepts; an absent (or `undefined`) field is left as it is. */
export interface NamespacePatch {
  readonly description?: string;
  readonly retentionMs?: number | null;
}

/** Validates a whole record for `createNamespace`; throws `invalid_argument` naming the field. */
export function validateNamespaceRecord(record: NamespaceRecord): void {
  validateNamespace(record.name);
  validateDescription(record.description);
  validateRetention(record.retentionMs);
  validateTimestamp(record.createdAt, 'createdAt');
  validateTimestamp(record.updatedAt, 'updatedAt');
}

/** Validates the arguments of `updateNamespace`; throws `invalid_argument` naming the field. */
export function validateNamespaceUpdate(name: string, patch: NamespacePatch, now: number): void {
  validateNamespace(name);
  if (patch.description !== undefined) validateDescription(patch.description);
  if (patch.retentionMs !== undefined) validateRetention(patch.retentionMs);
  validateTimestamp(now, 'now');
}

/** The record after `patch` applied at `now`. Every update stamps `updatedAt`, even an empty one. */
export function applyNamespacePatch(
  record: NamespaceRecord,
  patch: NamespacePatch,
  now: number,
): NamespaceRecord {
  return {
    name: record.name,
    description: patch.description ?? record.description,
    retentionMs: patch.retentionMs === undefined ? record.retentionMs : patch.retentionMs,
    createdAt: record.createdAt,
    updatedAt: now,
  };
}

/** What `updateNamespace` throws for a name that is not registered. */
export function namespaceNotFound(name: string): AionError {
  return new AionError('not_found', `namespace ${JSON.stringify(name)} is not registered`, {
    namespace: name,
  });
}

function validateDescription(description: unknown): void {
  if (typeof description !== 'string' || description.length > MAX_NAMESPACE_DESCRIPTION_LENGTH) {
    const got =
      typeof description === 'string'
        ? `${description.length} characters`
        : JSON.stringify(description);
    throw invalidArgument(
      `invalid namespace description (${got}): use a string of at most ${MAX_NAMESPACE_DESCRIPTION_LENGTH} characters`,
      { field: 'description' },
    );
  }
}

function validateRetention(retentionMs: unknown): void {
  if (retentionMs === null) return;
  if (typeof retentionMs !== 'number' || !Number.isSafeInteger(retentionMs) || retentionMs <= 0) {
    throw invalidArgument(
      `invalid namespace retentionMs ${shown(retentionMs)}: use a positive whole number of milliseconds, or null to keep closed runs forever`,
      { field: 'retentionMs' },
    );
  }
}

/** Timestamps are epoch milliseconds; SQL stores keep them as integers. */
function validateTimestamp(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(
      `invalid namespace ${field} ${shown(value)}: use epoch milliseconds (a non-negative whole number)`,
      { field },
    );
  }
}

/** A value for an error message; numbers as `String` shows them (NaN and Infinity are not JSON). */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

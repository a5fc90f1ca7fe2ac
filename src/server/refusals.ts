// Refused calls in the audit trail: a mutating request refused for who sent it (no or a bad
// key, a role or namespace it may not use, its rate limit, a task token it does not hold) is
// counted once, whether a route refused it (with the route's action name) or the edge did
// (before the route ran: the action is the method and route).
import type { FastifyRequest } from 'fastify';
import { isAionError } from '../core/index.js';
import type { AuditLog } from './audit.js';
import type { Principal } from './auth.js';

const REFUSALS = new Set([
  'unauthenticated',
  'permission_denied',
  'rate_limited',
  'host_not_allowed',
  'task_token_invalid',
  'not_task_holder',
]);

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Errors already counted, so the error handler does not count them again. */
const counted = new WeakSet<object>();

/** The error is already in the audit trail (a route recorded it as its outcome). */
export function markAudited(err: unknown): void {
  if (typeof err === 'object' && err !== null) counted.add(err);
}

/** Refusals whose caller is known although no route authenticated it (a console session). */
const subjects = new WeakMap<object, string>();

/** Names the caller a refusal is counted for (when the error handler counts it). */
export function attributeRefusal(err: unknown, subject: string): void {
  if (typeof err === 'object' && err !== null) subjects.set(err, subject);
}

/** Who sent a request whose key was refused: the key id it claims, else its address. */
function refusedSubject(request: FastifyRequest, err: object): string {
  const known = subjects.get(err);
  if (known !== undefined) return known;
  const id = /^Bearer\s+aion_([0-9a-f]{8})_/i.exec(request.headers.authorization ?? '')?.[1];
  return id !== undefined ? `${id} (not valid)` : `unauthenticated ${request.ip}`;
}

/** Counts `err` in the audit trail if it refuses a mutating call (once per error). */
export function countRefusal(
  audit: AuditLog,
  request: FastifyRequest,
  err: unknown,
  how: { readonly action?: string; readonly principal?: Principal; readonly mutating?: boolean },
): void {
  if (!isAionError(err) || !REFUSALS.has(err.code) || counted.has(err)) return;
  if (!(how.mutating ?? !READS.has(request.method))) return;
  counted.add(err);
  const namespace = (request.params as { namespace?: string } | undefined)?.namespace;
  audit.refused({
    subject: how.principal?.subject ?? refusedSubject(request, err),
    action:
      how.action ?? `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
    ...(namespace !== undefined ? { namespace } : {}),
    code: err.code,
  });
}

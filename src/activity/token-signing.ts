// Signing and verifying task tokens (HMAC-SHA256): used by the engine and the server, not
// part of the light \`aion/activity\` entry (which must not load node:crypto).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AionError } from '../core/index.js';
import {
  checkFields,
  decodeTaskToken,
  SIGNED_VERSION,
  type TaskTokenFields,
} from './complete-async.js';

/** A secret that signs task tokens: its id (named in the token) and its key bytes. */
export interface TokenKey {
  readonly id: string;
  readonly key: Uint8Array;
}

function mac(key: Uint8Array, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/**
 * A signed task token: `<payload>.<HMAC-SHA256 of the payload>`, the payload naming the
 * namespace, run, activity, attempt and the id of the secret that signed it.
 */
export function signTaskToken(fields: TaskTokenFields, signer: TokenKey): string {
  checkFields(fields, 'signTaskToken');
  const payload = Buffer.from(
    JSON.stringify({
      v: SIGNED_VERSION,
      ns: fields.namespace,
      wf: fields.workflowId,
      run: fields.runId,
      act: fields.activityId,
      att: fields.attempt,
      k: signer.id,
    }),
    'utf8',
  ).toString('base64url');
  return `${payload}.${mac(signer.key, payload)}`;
}

function invalidToken(reason: string): never {
  throw new AionError(
    'task_token_invalid',
    `task token refused: ${reason}; pass the exact string from Context.current().info.taskToken`,
    { field: 'taskToken' },
  );
}

/**
 * The fields of a token signed by one of `keys` (by id); `task_token_invalid` for an unsigned,
 * altered or forged token, or one signed by a secret not (any more) in `keys`.
 */
export function verifyTaskToken(
  token: string,
  keys: ReadonlyMap<string, Uint8Array>,
): TaskTokenFields {
  const fields = decodeTaskToken(token);
  const [payload, signature] = token.split('.');
  if (signature === undefined) invalidToken('it is not signed');
  const raw = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { k?: unknown };
  const key = typeof raw.k === 'string' ? keys.get(raw.k) : undefined;
  if (key === undefined) invalidToken('it was not signed by a live secret of this cluster');
  const expected = Buffer.from(mac(key, payload!), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    invalidToken('its signature does not match');
  }
  return fields;
}

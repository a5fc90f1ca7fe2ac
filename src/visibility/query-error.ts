import { AionError } from '../core/index.js';

/** Characters of context shown on each side of the offending token. */
const CONTEXT = 40;
/** Longest token quoted in a message or in `details.token`. */
const MAX_TOKEN = 60;

export function clip(token: string): string {
  return token.length > MAX_TOKEN ? `${token.slice(0, MAX_TOKEN - 1)}…` : token;
}

/**
 * The query line around `position` with carets under the token:
 * ```
 *   WorkflowType = 'x' ANDD StartTime > 0
 *                      ^^^^
 * ```
 * Line breaks and tabs become spaces so the carets stay aligned.
 */
export function excerpt(text: string, position: number, length: number): string {
  const from = Math.max(0, position - CONTEXT);
  const to = Math.min(text.length, position + Math.max(length, 1) + CONTEXT);
  const head = from > 0 ? '…' : '';
  const tail = to < text.length ? '…' : '';
  const line = head + text.slice(from, to).replace(/[\t\n\r]/g, ' ') + tail;
  const pad = head.length + position - from;
  const carets = '^'.repeat(Math.max(1, Math.min(length, to - position)));
  return `  ${line}\n  ${' '.repeat(pad)}${carets}`;
}

/**
 * An `invalid_argument` error for a query, pointing at the token at `position`:
 * the message (first line) says what is wrong and what was expected; the excerpt follows.
 * `details` carries `{ field: 'query', position, token }` for programs (consoles, CLIs).
 */
export function queryError(
  text: string,
  position: number,
  token: string,
  message: string,
  extra: Record<string, unknown> = {},
): AionError {
  return new AionError('invalid_argument', `${message}\n${excerpt(text, position, token.length)}`, {
    field: 'query',
    position,
    token: clip(token),
    ...extra,
  });
}

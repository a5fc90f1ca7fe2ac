// Cross-site request checks for cookie-authenticated calls. A browser attaches the session
// cookie to any request to the server (SameSite=Strict keeps other sites' navigations out,
// not other ports or sibling hosts of the same site), so a call that changes something must
// also show it comes from the console itself: the `X-Aion-Console: 1` header (a cross-origin
// page cannot send it without a CORS preflight, which the server never grants) and, when the
// browser names the page's origin, the server's own origin.
import { AionError } from '../../core/index.js';

interface RequestHead {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The header the console sends with every call that changes something. */
export const CONSOLE_HEADER = 'x-aion-console';

function refuse(message: string): never {
  throw new AionError('permission_denied', message, { reason: 'csrf' });
}

/** `Origin`, when present, must be the server's own (its host is the request's `Host`). */
export function checkSameOrigin(request: RequestHead): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const host = request.headers.host;
  let originHost: string | undefined;
  try {
    originHost = new URL(String(origin)).host.toLowerCase();
  } catch {
    originHost = undefined;
  }
  if (typeof host !== 'string' || originHost !== host.toLowerCase()) {
    refuse(
      `refused a request from another origin (${JSON.stringify(origin)}): console sessions work only from this server's own pages`,
    );
  }
}

/** A cookie-authenticated call that changes something: the console header and own origin. */
export function checkConsoleRequest(request: RequestHead): void {
  if (request.headers[CONSOLE_HEADER] !== '1') {
    refuse(
      'a call authenticated by a console session must send "X-Aion-Console: 1" to change anything (scripts use "Authorization: Bearer <key>")',
    );
  }
  checkSameOrigin(request);
}

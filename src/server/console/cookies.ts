// The few cookie operations the console's session needs: reading one cookie of a `Cookie`
// header and writing the `Set-Cookie` value that sets or clears it.

/** The value of cookie `name` in a `Cookie` header; undefined when absent. */
export function readCookie(
  header: string | string[] | undefined,
  name: string,
): string | undefined {
  if (header === undefined) return undefined;
  for (const line of Array.isArray(header) ? header : [header]) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
      let value = part.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
        value = value.slice(1, -1);
      }
      return value;
    }
  }
  return undefined;
}

export interface CookieOptions {
  /** Seconds the browser keeps it; 0 clears it. */
  readonly maxAgeSeconds: number;
  /** Only sent over HTTPS. */
  readonly secure: boolean;
}

/**
 * A `Set-Cookie` value for a session cookie: not readable by scripts, never sent by other
 * sites' requests, for every path. `value` must be cookie-safe (no `;`, `,`, spaces).
 */
export function sessionCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [
    `${name}=${value}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

// Content negotiation for the console's precompressed files: the client's `Accept-Encoding`
// (RFC 9110 §12.5.3, q-values honoured) picks brotli, gzip or the file as it is.
import type { Coding } from './static-files.js';

/** The server's order among codings the client weighs the same: the smaller first. */
const PREFERENCE: readonly Coding[] = ['br', 'gzip'];

/** The weight of each coding named in an `Accept-Encoding` value (`*` included). */
function weights(header: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((p) => p.trim());
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const m = /^q\s*=\s*([01](?:\.\d{0,3})?)$/i.exec(param);
      if (m) q = Math.min(1, Number(m[1]));
    }
    const coding = name.toLowerCase() === 'x-gzip' ? 'gzip' : name.toLowerCase();
    // A coding listed twice keeps its highest weight.
    out.set(coding, Math.max(q, out.get(coding) ?? 0));
  }
  return out;
}

/**
 * The coding to answer with among `available`, or undefined for the file as it is: the one
 * the client weighs highest (above zero, and not below `identity` when the client weighs
 * that too); without an `Accept-Encoding` header, none.
 */
export function chooseCoding(
  header: string | string[] | undefined,
  available: readonly Coding[],
): Coding | undefined {
  if (header === undefined || available.length === 0) return undefined;
  const w = weights(Array.isArray(header) ? header.join(',') : header);
  const any = w.get('*');
  let best: Coding | undefined;
  let bestQ = 0;
  for (const coding of PREFERENCE) {
    if (!available.includes(coding)) continue;
    const q = w.get(coding) ?? any ?? 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  // `identity` unnamed is acceptable but weighs nothing against a named coding.
  const identity = w.get('identity');
  if (best !== undefined && identity !== undefined && identity > bestQ) return undefined;
  return best;
}

/**
 * Strict ISO-8601 / RFC 3339 parsing for query literals. `Date.parse` is not used: it accepts
 * many non-ISO forms, rolls over impossible dates (Feb 30) and reads zone-less date-times in
 * the server's local zone, so one query would mean different things on different machines.
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Epoch milliseconds of an ISO-8601 date (`2026-01-01`, midnight UTC) or date-time
 * (`2026-01-01T10:30:00Z`, `…+02:00`, fractions to the nanosecond truncated to ms; no zone
 * means UTC). Undefined when the text is not such a date or names an impossible one.
 */
export function parseIsoDatetime(text: string): number | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined; // Feb 30
  date.setUTCHours(hour, minute, second, Number(frac.padEnd(3, '0').slice(0, 3)));
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const ms = date.getTime() - offsetMinutes * 60_000;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

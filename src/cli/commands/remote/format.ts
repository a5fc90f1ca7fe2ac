// Human-readable rendering shared by remote commands: values, dates, aligned tables and
// status colours (colour only on a terminal, never with NO_COLOR).
import type { CliIo } from '../../output.js';

/** A result value as indented JSON, or a marker when there is none. */
export function show(value: unknown): string {
  return value === undefined ? '(no value)' : JSON.stringify(value, null, 2);
}

/** A date to the second in UTC, or `-`. */
export function date(d: Date | undefined): string {
  return d
    ? d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : '-';
}

/** Renders rows as an aligned table. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  style: (column: number, padded: string, value: string) => string = (_c, padded) => padded,
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], styled: boolean): string =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        return styled ? style(i, padded, c) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(headers, false), ...rows.map((r) => line(r, true))].join('\n');
}

const ANSI = { green: 32, cyan: 36, yellow: 33, red: 31 } as const;

/** Status colours on a terminal (off with NO_COLOR or when piped). */
export function colourStatus(io: CliIo, status: string, text: string = status): string {
  if (!io.isTTY || process.env.NO_COLOR) return text;
  const colour =
    status === 'COMPLETED'
      ? 'green'
      : status === 'RUNNING' || status === 'PAUSED'
        ? 'cyan'
        : status === 'CANCELLED' || status === 'CONTINUED_AS_NEW'
          ? 'yellow'
          : 'red';
  return `\u001b[${ANSI[colour]}m${text}\u001b[39m`;
}

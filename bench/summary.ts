// The end-of-run view of a bench run: one line per result (met, ratios, floors), and the
// optional `--save` file (bench/results/<date>.jsonl, appended).
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MACHINE_NOTE, type BenchRecord } from './lib.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

function numbers(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** One line per result: verdict, name, ratios and the floors they were taken against. */
export function summaryTable(records: readonly BenchRecord[]): string {
  const width = Math.max(4, ...records.map((r) => `${r.suite}/${r.name}`.length));
  const lines = records.map((r) => {
    const verdict = r.error
      ? 'ERROR'
      : r.met === true
        ? 'met'
        : r.met === false
          ? 'NOT MET'
          : 'info';
    const detail = r.error
      ? JSON.stringify(r.error)
      : [
          numbers(r.ratios),
          numbers(r.floors),
          typeof r.value === 'number' ? `value=${r.value}` : '',
        ]
          .filter((s) => s !== '')
          .join('  ');
    return `${verdict.padEnd(7)}  ${`${r.suite}/${r.name}`.padEnd(width)}  ${detail}`;
  });
  return [`summary (${MACHINE_NOTE})`, ...lines].join('\n');
}

/** Appends the run's lines to bench/results/<YYYY-MM-DD>.jsonl; returns the file. */
export function saveResults(lines: readonly string[], at = new Date()): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${at.toISOString().slice(0, 10)}.jsonl`);
  appendFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

// Append-only JSON-lines files the processes of a trial write and the checker reads: the
// workload's acknowledgements and the activities' side effects. Appended lines survive a
// kill -9 of the writer; a torn last line (killed mid-write) is ignored.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** Appends one JSON line (with the writer's pid and the wall time) to `file`. */
export function appendLine(file: string, entry: Readonly<Record<string, unknown>>): void {
  appendFileSync(file, `${JSON.stringify({ ...entry, pid: process.pid, at: Date.now() })}\n`);
}

/** Every complete line of `file` (none when it does not exist). */
export function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const out: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a line torn by a kill -9 of its writer
    }
  }
  return out;
}

/** An acknowledgement the workload got (or a workload milestone). */
export type Ack =
  | { readonly op: 'start'; readonly id: string; readonly workflowId: string }
  | { readonly op: 'signal'; readonly id: string; readonly workflowId: string }
  | {
      readonly op: 'update';
      readonly id: string;
      readonly workflowId: string;
      readonly result: unknown;
    }
  | { readonly op: 'result'; readonly id: string; readonly workflowId: string; result: unknown }
  | { readonly op: 'ready'; readonly id: string }
  | {
      readonly op: 'done';
      readonly id: string;
      readonly retries: number;
      readonly errors: Readonly<Record<string, number>>;
    }
  | { readonly op: 'gave-up'; readonly id: string; readonly error: string };

export type AckLine = Ack & { readonly pid: number; readonly at: number };

/** One execution event of the effect activity (see fixtures/activities.ts). */
export interface EffectLine {
  readonly key: string;
  readonly phase: 'start' | 'done';
  readonly pid: number;
  readonly at: number;
}

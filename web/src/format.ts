// Display helpers: times, durations, statuses, short ids.
import { STATUS_QUERY_NAMES, WORKFLOW_STATUSES, type WorkflowStatus } from './types.js';

export function time(value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === '') return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function since(value: string | undefined, now: number): string {
  if (!value) return '—';
  return `${duration(now - new Date(value).getTime())} ago`;
}

const LABELS: Record<WorkflowStatus, string> = {
  RUNNING: 'Running',
  PAUSED: 'Paused',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Canceled',
  TERMINATED: 'Terminated',
  TIMED_OUT: 'Timed out',
  CONTINUED_AS_NEW: 'Continued as new',
};

export function statusLabel(status: string): string {
  return LABELS[status as WorkflowStatus] ?? status;
}

/** The query-language spelling of a status (Temporal's). */
export function statusQueryValue(status: WorkflowStatus): string {
  return STATUS_QUERY_NAMES[status];
}

/** The status a count group's value names (the server may answer either spelling). */
export function statusFromValue(value: string): WorkflowStatus | undefined {
  const v = value.toUpperCase().replace(/[^A-Z]/g, '');
  const key = (s: string): string => s.toUpperCase().replace(/_/g, '');
  return WORKFLOW_STATUSES.find((s) => key(s) === v || key(STATUS_QUERY_NAMES[s]) === v);
}

export function shortId(id: string, n = 12): string {
  return id.length > n ? `${id.slice(0, n)}…` : id;
}

/** A string literal of the query language (single quotes doubled). */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

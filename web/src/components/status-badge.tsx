import { statusLabel } from '../format.js';

export function StatusBadge({ status }: { status: string }) {
  return <span class={`status status-${status.toLowerCase()}`}>{statusLabel(status)}</span>;
}

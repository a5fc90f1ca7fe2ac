// Namespace records as the API shows them, and the retention setting's parsing.
import { AionError, parseDuration, type Duration } from '../../core/index.js';
import type { NamespaceRecord } from '../../store/index.js';

/** A namespace as the engine API reports it. */
export interface NamespaceInfo {
  readonly name: string;
  readonly description: string;
  /** Closed runs older than this are deleted with their history; undefined keeps them. */
  readonly retentionMs: number | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NamespaceSettings {
  readonly description?: string;
  /** `'30 days'`, milliseconds, or `null` to keep closed runs forever. */
  readonly retention?: Duration | null;
}

export function namespaceInfo(r: NamespaceRecord): NamespaceInfo {
  return {
    name: r.name,
    description: r.description,
    retentionMs: r.retentionMs ?? undefined,
    createdAt: new Date(r.createdAt),
    updatedAt: new Date(r.updatedAt),
  };
}

export function retentionMsOf(retention: Duration | null | undefined): number | null | undefined {
  if (retention === undefined) return undefined;
  if (retention === null) return null;
  const ms = parseDuration(retention, 'retention');
  if (ms < 60_000) {
    throw new AionError(
      'invalid_argument',
      'retention must be at least 1 minute (or null to keep closed runs)',
      {
        field: 'retention',
      },
    );
  }
  return ms;
}

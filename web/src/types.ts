// Shapes of the HTTP API answers the console reads (docs/api.md). Only the fields it uses.
// The statuses and query field names are the engine's own (a module with no imports).
import type { SearchAttributeValue } from '../../src/core/search-attributes.js';
import type { WorkflowStatus } from '../../src/core/visibility-names.js';

export type { SearchAttributeValue, WorkflowStatus };
export {
  BUILTIN_FIELDS,
  STATUS_QUERY_NAMES,
  WORKFLOW_STATUSES,
} from '../../src/core/visibility-names.js';

export type Role = 'reader' | 'operator' | 'worker' | 'admin';

export interface SessionInfo {
  readonly authRequired: boolean;
  readonly authenticated: boolean;
  readonly role?: Role;
  readonly namespaces?: readonly string[] | null;
  readonly keyId?: string;
  readonly name?: string;
  readonly expiresAt?: string | number;
  /** The server's `traceUrl`: where trace ids link to (`{traceId}` replaced). */
  readonly traceUrl?: string;
}

export interface Payload {
  readonly encoding?: string;
  readonly data?: string;
  readonly metadata?: Record<string, string>;
}

export interface Failure {
  readonly message: string;
  readonly type?: string;
  readonly stack?: string;
  readonly cause?: Failure;
  readonly [key: string]: unknown;
}

export interface ListItem {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly status: WorkflowStatus;
  readonly startTime: string;
  readonly closeTime?: string;
  readonly taskQueue: string;
  /** The version the run is pinned to. */
  readonly version: string;
  readonly searchAttributes: Readonly<Record<string, SearchAttributeValue>>;
  /** Parked after repeated task crashes. */
  readonly stuck: boolean;
}

export interface ListPage {
  readonly items: readonly ListItem[];
  readonly nextCursor: string | null;
}

export interface CountAnswer {
  readonly count: number;
  readonly groups?: readonly { readonly value: string; readonly count: number }[];
}

export interface PendingActivity {
  readonly activityId: string;
  readonly activityType: string;
  readonly state: 'STARTED' | 'BACKING_OFF' | 'SCHEDULED';
  readonly attempt: number;
  readonly nextAttemptAt?: string;
  readonly lastFailure?: Failure;
  readonly heartbeatDetails?: unknown;
  readonly lastHeartbeatAt?: string;
  readonly warning?: string;
}

export interface Description {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly taskQueue: string;
  readonly status: WorkflowStatus;
  readonly version: string;
  readonly startTime: string;
  readonly closeTime?: string;
  readonly historyLength: number;
  readonly searchAttributes: Record<string, unknown>;
  readonly memo: Record<string, unknown>;
  readonly stuck?: { readonly reason: string; readonly since: string };
  readonly pendingActivities: readonly PendingActivity[];
  readonly pendingTimers: readonly { readonly timerId: string; readonly fireAt: string }[];
}

/** One history event: its envelope and the attributes of its type. */
export interface HistoryEvent {
  readonly seq: number;
  readonly type: string;
  readonly recordedAt: number;
  readonly [key: string]: unknown;
}

export interface HistoryPage {
  readonly format: 'aion-history';
  readonly workflowId: string;
  readonly runId: string;
  readonly events: readonly HistoryEvent[];
  readonly nextSeq: number | null;
}

export interface NamespaceInfo {
  readonly name: string;
  readonly description: string;
  readonly retentionMs: number | null;
  readonly createdAt: string;
}

export interface TimeTravelAnswer {
  readonly atSeq: number;
  readonly boundarySeq: number;
  readonly stackTrace: string;
  readonly queries: readonly {
    readonly name: string;
    readonly ok: boolean;
    readonly result?: unknown;
    readonly code?: string;
    readonly failure?: Failure;
  }[];
  readonly boundaries: readonly number[];
}

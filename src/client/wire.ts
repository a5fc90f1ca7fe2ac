// The remote client's side of the JSON API shapes: URL paths, request-body fragments, and
// reviving the dates in describe/list answers.
import type { Failure, Headers } from '../core/index.js';
import type { WorkflowExecutionDescription, WorkflowExecutionInfo } from './types.js';

/** `/api/v1/namespaces/<ns>`: the prefix of every namespaced call. */
export const namespacePath = (namespace: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}`;

/** The `headers` body field, omitted when there are none. */
export const withHeaders = (headers: Headers): { headers?: Headers } =>
  Object.keys(headers).length > 0 ? { headers } : {};

function toDate(value: unknown): Date | undefined {
  return typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
}

export function describeFromJson(raw: Record<string, unknown>): WorkflowExecutionDescription {
  const stuck = raw.stuck as { reason: string; since: string } | null | undefined;
  return {
    ...(raw as unknown as WorkflowExecutionDescription),
    startTime: toDate(raw.startTime)!,
    closeTime: toDate(raw.closeTime),
    stuck: stuck ? { reason: stuck.reason, since: new Date(stuck.since) } : undefined,
    pendingActivities: ((raw.pendingActivities as Record<string, unknown>[] | undefined) ?? []).map(
      (a) => ({
        ...(a as unknown as WorkflowExecutionDescription['pendingActivities'][number]),
        nextAttemptAt: toDate(a.nextAttemptAt),
        lastHeartbeatAt: toDate(a.lastHeartbeatAt),
        lastFailure: (a.lastFailure as Failure | null | undefined) ?? undefined,
      }),
    ),
    pendingTimers: (
      (raw.pendingTimers as { timerId: string; fireAt: string }[] | undefined) ?? []
    ).map((t) => ({
      timerId: t.timerId,
      fireAt: new Date(t.fireAt),
    })),
  };
}

export function infoFromJson(raw: Record<string, unknown>): WorkflowExecutionInfo {
  return {
    ...(raw as unknown as WorkflowExecutionInfo),
    startTime: toDate(raw.startTime)!,
    closeTime: toDate(raw.closeTime),
    searchAttributes: (raw.searchAttributes as WorkflowExecutionInfo['searchAttributes']) ?? {},
    stuck: raw.stuck === true,
  };
}

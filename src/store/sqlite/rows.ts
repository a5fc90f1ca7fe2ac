/** Row shapes of the SQLite tables and their mapping to contract types. */
import type { Failure, Payload, Mutable } from '../../core/index.js';
import { extend } from '../../core/index.js';
import type {
  ActivityTask,
  ClaimedTimer,
  OutboxRow,
  PackageSummary,
  Route,
  TimerRow,
} from '../contract/index.js';

export interface TimerDbRow {
  readonly rid: number;
  readonly namespace: string;
  readonly run_id: string;
  readonly timer_id: string;
  readonly workflow_id: string;
  readonly fire_at: number;
  readonly kind: string;
  readonly data: string | null;
  readonly claim_owner: string | null;
  readonly claim_until: number | null;
}

export function timerFromRow(row: TimerDbRow): TimerRow {
  const timer: Mutable<TimerRow> = {
    namespace: row.namespace,
    workflowId: row.workflow_id,
    runId: row.run_id,
    timerId: row.timer_id,
    fireAt: row.fire_at,
    kind: row.kind,
  };
  if (row.data !== null) timer.data = row.data;
  return timer;
}

export function claimedTimerFromRow(row: TimerDbRow, claimUntil: number): ClaimedTimer {
  return extend(timerFromRow(row), { claimUntil });
}

export interface TaskDbRow {
  readonly rid: number;
  readonly namespace: string;
  readonly task_id: string;
  readonly workflow_id: string;
  readonly run_id: string;
  readonly task_queue: string;
  readonly activity_id: string;
  readonly activity_type: string;
  readonly scheduled_seq: number;
  readonly input: string;
  readonly options: string | null;
  readonly attempt: number;
  readonly visible_at: number;
  readonly lease_owner: string | null;
  readonly lease_until: number | null;
  readonly deliveries: number;
  readonly heartbeat_details: string | null;
  readonly last_heartbeat_at: number | null;
  readonly last_failure: string | null;
}

export function taskFromRow(row: TaskDbRow): ActivityTask {
  const task: Mutable<ActivityTask> = {
    namespace: row.namespace,
    workflowId: row.workflow_id,
    runId: row.run_id,
    taskId: row.task_id,
    taskQueue: row.task_queue,
    activityId: row.activity_id,
    activityType: row.activity_type,
    scheduledSeq: row.scheduled_seq,
    input: JSON.parse(row.input) as Payload[],
    attempt: row.attempt,
    visibleAt: row.visible_at,
    deliveries: row.deliveries,
  };
  if (row.options !== null) task.options = row.options;
  if (row.lease_owner !== null) task.leaseOwner = row.lease_owner;
  if (row.lease_until !== null) task.leaseUntil = row.lease_until;
  if (row.heartbeat_details !== null)
    task.heartbeatDetails = JSON.parse(row.heartbeat_details) as Payload;
  if (row.last_heartbeat_at !== null) task.lastHeartbeatAt = row.last_heartbeat_at;
  if (row.last_failure !== null) task.lastFailure = JSON.parse(row.last_failure) as Failure;
  return task;
}

export interface OutboxDbRow {
  readonly namespace: string;
  readonly id: string;
  readonly workflow_id: string;
  readonly run_id: string;
  readonly kind: string;
  readonly version: string | null;
  readonly data: string;
  readonly created_at: number;
}

export function outboxFromRow(row: OutboxDbRow): OutboxRow {
  const out: Mutable<OutboxRow> = {
    namespace: row.namespace,
    id: row.id,
    workflowId: row.workflow_id,
    runId: row.run_id,
    kind: row.kind,
    data: row.data,
    createdAt: row.created_at,
  };
  if (row.version !== null) out.version = row.version;
  return out;
}

export interface PackageDbRow {
  readonly namespace: string;
  readonly version: string;
  readonly archive: Buffer;
  readonly size: number;
  readonly manifest: string;
  readonly deployed_at: number;
}

export function packageSummaryFromRow(row: Omit<PackageDbRow, 'archive'>): PackageSummary {
  return {
    namespace: row.namespace,
    version: row.version,
    manifest: row.manifest,
    deployedAt: row.deployed_at,
    size: row.size,
  };
}

export interface RouteDbRow {
  readonly namespace: string;
  readonly workflow_type: string;
  readonly version: string;
  readonly updated_at: number;
}

export function routeFromRow(row: RouteDbRow): Route {
  return {
    namespace: row.namespace,
    workflowType: row.workflow_type,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

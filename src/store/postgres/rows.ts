import type { Failure, Payload, Mutable } from '../../core/index.js';
import type {
  ActivityTask,
  ClaimedTimer,
  OutboxRow,
  PackageRecord,
  Route,
  RunInfo,
  TimerRow,
} from '../contract/index.js';
import { rowToRunInfo, type RunRow } from '../sql/index.js';
import type { Row } from './driver.js';

/** Columns selected for a {@link RunInfo} (prefix with the table alias where needed). */
export const RUN_COLUMNS = [
  'namespace',
  'run_id',
  'workflow_id',
  'workflow_type',
  'task_queue',
  'status',
  'version',
  'start_time',
  'close_time',
  'head_seq',
  'parent_workflow_id',
  'parent_run_id',
  'continued_from_run_id',
  'search_attributes',
  'memo',
  'stuck_reason',
  'stuck_since',
] as const;

export function runColumns(alias?: string): string {
  return alias === undefined
    ? RUN_COLUMNS.join(', ')
    : RUN_COLUMNS.map((c) => `${alias}.${c}`).join(', ');
}

const str = (v: unknown): string => v as string;
const num = (v: unknown): number => v as number;

export function toRunInfo(row: Row): RunInfo {
  return rowToRunInfo(row as unknown as RunRow);
}

export function toTimer(row: Row): TimerRow {
  const timer: Mutable<TimerRow> = {
    namespace: str(row.namespace),
    workflowId: str(row.workflow_id),
    runId: str(row.run_id),
    timerId: str(row.timer_id),
    fireAt: num(row.fire_at),
    kind: str(row.kind),
  };
  if (row.data !== null) timer.data = str(row.data);
  return timer;
}

export function toClaimedTimer(row: Row): ClaimedTimer {
  return { ...toTimer(row), claimUntil: num(row.claim_until) };
}

export function toTask(row: Row): ActivityTask {
  const task: Mutable<ActivityTask> = {
    namespace: str(row.namespace),
    workflowId: str(row.workflow_id),
    runId: str(row.run_id),
    taskId: str(row.task_id),
    taskQueue: str(row.task_queue),
    activityId: str(row.activity_id),
    activityType: str(row.activity_type),
    scheduledSeq: num(row.scheduled_seq),
    input: JSON.parse(str(row.input)) as Payload[],
    attempt: num(row.attempt),
    visibleAt: num(row.visible_at),
    deliveries: num(row.deliveries),
  };
  if (row.options !== null) task.options = str(row.options);
  if (row.lease_owner !== null) task.leaseOwner = str(row.lease_owner);
  if (row.lease_until !== null) task.leaseUntil = num(row.lease_until);
  if (row.heartbeat_details !== null)
    task.heartbeatDetails = JSON.parse(str(row.heartbeat_details)) as Payload;
  if (row.last_heartbeat_at !== null) task.lastHeartbeatAt = num(row.last_heartbeat_at);
  if (row.last_failure !== null) task.lastFailure = JSON.parse(str(row.last_failure)) as Failure;
  return task;
}

export function toOutbox(row: Row): OutboxRow {
  const out: Mutable<OutboxRow> = {
    namespace: str(row.namespace),
    id: str(row.id),
    workflowId: str(row.workflow_id),
    runId: str(row.run_id),
    kind: str(row.kind),
    data: str(row.data),
    createdAt: num(row.created_at),
  };
  if (row.version !== null) out.version = str(row.version);
  return out;
}

export function toPackage(row: Row): PackageRecord {
  const archive = row.archive as Buffer;
  return {
    namespace: str(row.namespace),
    version: str(row.version),
    // A plain Uint8Array copy: callers compare bytes, not Buffer identity.
    archive: new Uint8Array(archive),
    manifest: str(row.manifest),
    deployedAt: num(row.deployed_at),
  };
}

export function toRoute(row: Row): Route {
  return {
    namespace: str(row.namespace),
    workflowType: str(row.workflow_type),
    version: str(row.version),
    updatedAt: num(row.updated_at),
  };
}

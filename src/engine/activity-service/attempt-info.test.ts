import { describe, expect, it } from 'vitest';
import { decodeTaskToken, encodeTaskToken, type TaskTokenFields } from '../../activity/internal.js';
import type { ActivityTask } from '../../store/index.js';
import { attemptInfo } from './attempt-info.js';
import type { TaskData } from './types.js';

const task: ActivityTask = {
  namespace: 'default',
  workflowId: 'wf-1',
  runId: 'run-1',
  taskId: 'task-1',
  taskQueue: 'default',
  activityId: '3',
  activityType: 'step',
  scheduledSeq: 3,
  input: [],
  attempt: 2,
  visibleAt: 0,
  deliveries: 1,
};
const data: TaskData = {
  workflowType: 'wf',
  scheduledAt: 1000,
  options: { taskQueue: 'default', startToCloseTimeoutMs: 5000 },
  local: false,
};

describe('attemptInfo', () => {
  it('makes the task token on first read, once', () => {
    const signed: TaskTokenFields[] = [];
    const info = attemptInfo(task, data, 2000, undefined, (f) => {
      signed.push(f);
      return encodeTaskToken(f);
    });
    expect(signed).toHaveLength(0);
    const token = info.taskToken;
    expect(info.taskToken).toBe(token);
    expect(signed).toEqual([
      { namespace: 'default', workflowId: 'wf-1', runId: 'run-1', activityId: '3', attempt: 2 },
    ]);
    expect(decodeTaskToken(token)).toMatchObject({ runId: 'run-1', activityId: '3', attempt: 2 });
  });

  it('carries the token in copies: spread, JSON and property listings', () => {
    const info = attemptInfo(task, data, 2000, undefined, encodeTaskToken);
    const token = encodeTaskToken({
      namespace: 'default',
      workflowId: 'wf-1',
      runId: 'run-1',
      activityId: '3',
      attempt: 2,
    });
    expect({ ...info }.taskToken).toBe(token);
    expect((JSON.parse(JSON.stringify(info)) as { taskToken: string }).taskToken).toBe(token);
    expect(Object.keys(info)).toContain('taskToken');
    expect(info.deadline).toBe(7000);
    // How the token is made stays out of copies.
    expect(Object.getOwnPropertySymbols({ ...info })).toEqual([]);
    expect(Object.keys(info)).toEqual([
      'namespace',
      'workflowId',
      'runId',
      'workflowType',
      'activityId',
      'activityType',
      'taskQueue',
      'attempt',
      'taskToken',
      'scheduledTime',
      'startedTime',
      'deadline',
      'heartbeatTimeoutMs',
      'heartbeatDetails',
      'isLocal',
      'headers',
      'startToCloseTimeoutMs',
    ]);
  });
});

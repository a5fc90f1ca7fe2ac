// Validation of a client start's options and their conversion into what the run is recorded
// with (payloads, headers, memo, typed search attributes, timeouts).
import {
  AionError,
  optionalDuration,
  validateHeaders,
  validatePriority,
  validateWorkflowId,
  workflowTypeName,
  type DataConverter,
  type Headers,
  type Limits,
  type Payload,
  type Priority,
  type RetryPolicy,
  type SearchAttributes,
  type SearchAttributeValue,
  type WorkflowStartOptions,
  type WorkflowTypeRef,
} from '../../core/index.js';
import { toTypedSearchAttributes } from '../../visibility/index.js';
import { encodeArgs } from '../args.js';
import { parseCronSchedule } from '../commands/index.js';
import type { Schema } from '../namespaces/index.js';
import { parseWorkflowRetry } from './workflow-retry-option.js';

const START_OPTION_KEYS = new Set([
  'workflowIdReusePolicy',
  'workflowIdConflictPolicy',
  'requestId',
  'workflowId',
  'args',
  'taskQueue',
  'searchAttributes',
  'memo',
  'executionTimeout',
  'runTimeout',
  'headers',
  'workflowExecutionTimeout',
  'workflowRunTimeout',
  'workflowTaskTimeout',
  'requestEagerStart',
  'retry',
  'priority',
  'followRuns',
  'cronSchedule',
  'startDelay',
]);

/** One of Aion's names or its Temporal alias (both given: an error saying so). */
function aliased(
  options: WorkflowStartOptions,
  name: 'executionTimeout' | 'runTimeout',
  alias: 'workflowExecutionTimeout' | 'workflowRunTimeout',
): number | undefined {
  if (options[name] !== undefined && options[alias] !== undefined)
    throw new AionError(
      'invalid_argument',
      `${alias} is another name of ${name}: give one of them, not both`,
      { field: alias },
    );
  return options[alias] !== undefined
    ? optionalDuration(options[alias], alias)
    : optionalDuration(options[name], name);
}

/** A client start's options, validated and encoded (before the id policies apply). */
export interface ParsedStart {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: Payload[];
  headers: Headers | undefined;
  memo: Record<string, Payload> | undefined;
  searchAttributes: SearchAttributes | undefined;
  executionTimeoutMs: number | undefined;
  runTimeoutMs: number | undefined;
  retryPolicy: RetryPolicy | undefined;
  priority: Priority | undefined;
  cronSchedule: string | undefined;
  startDelayMs: number | undefined;
}

export interface StartOptionContext {
  readonly limits: Limits;
  readonly converter: DataConverter;
  readonly defaultTaskQueue: string;
  readonly schema: Schema;
  readonly newId: () => string;
}

export function parseStart(
  ctx: StartOptionContext,
  workflow: WorkflowTypeRef,
  options: WorkflowStartOptions,
): ParsedStart {
  const workflowType = workflowTypeName(workflow);
  if (typeof workflowType !== 'string' || workflowType.length === 0) {
    throw new AionError(
      'invalid_argument',
      'workflow must be an exported workflow function or its type name',
      { field: 'workflow' },
    );
  }
  if (typeof options !== 'object' || options === null)
    throw new AionError('invalid_argument', 'start options must be an object', {
      field: 'options',
    });
  for (const key of Object.keys(options)) {
    if (!START_OPTION_KEYS.has(key)) {
      throw new AionError(
        'invalid_argument',
        `unknown start option ${JSON.stringify(key)}; known: ${[...START_OPTION_KEYS].join(', ')}`,
        { field: key },
      );
    }
  }
  optionalDuration(options.workflowTaskTimeout, 'workflowTaskTimeout'); // validated only
  if (options.followRuns !== undefined && typeof options.followRuns !== 'boolean')
    throw new AionError('invalid_argument', 'followRuns must be a boolean', {
      field: 'followRuns',
    });
  if (options.requestEagerStart !== undefined && typeof options.requestEagerStart !== 'boolean')
    throw new AionError('invalid_argument', 'requestEagerStart must be a boolean', {
      field: 'requestEagerStart',
    });
  const args = options.args ?? [];
  if (!Array.isArray(args))
    throw new AionError('invalid_argument', 'args must be an array of workflow arguments', {
      field: 'args',
    });
  const workflowId = validateWorkflowId(options.workflowId ?? ctx.newId());
  const taskQueue = options.taskQueue ?? ctx.defaultTaskQueue;
  if (typeof taskQueue !== 'string' || taskQueue.length === 0 || taskQueue.length > 200) {
    throw new AionError(
      'invalid_argument',
      'taskQueue must be a non-empty string of at most 200 characters',
      { field: 'taskQueue' },
    );
  }
  return {
    workflowType,
    workflowId,
    taskQueue,
    args: encodeArgs(ctx.converter, args, 'workflow arguments'),
    headers: validateHeaders(options.headers),
    memo: encodeMemo(ctx.converter, options.memo),
    searchAttributes: typedSearchAttributes(ctx.schema, options.searchAttributes),
    executionTimeoutMs: aliased(options, 'executionTimeout', 'workflowExecutionTimeout'),
    runTimeoutMs: aliased(options, 'runTimeout', 'workflowRunTimeout'),
    retryPolicy: parseWorkflowRetry(options.retry),
    priority: validatePriority(options.priority, (message) => {
      throw new AionError('invalid_argument', message, { field: 'priority' });
    }),
    cronSchedule: parseCronSchedule(options.cronSchedule),
    startDelayMs: optionalDuration(options.startDelay, 'startDelay'),
  };
}

function encodeMemo(
  converter: DataConverter,
  memo: WorkflowStartOptions['memo'],
): Record<string, Payload> | undefined {
  return memo
    ? Object.fromEntries(
        Object.entries(memo).map(([k, v]) => [k, converter.encode(v, `memo ${k}`)]),
      )
    : undefined;
}

function typedSearchAttributes(
  schema: Schema,
  attributes: WorkflowStartOptions['searchAttributes'],
): SearchAttributes | undefined {
  return attributes
    ? Object.fromEntries(
        Object.entries(toTypedSearchAttributes(attributes, schema)).filter(
          (entry): entry is [string, SearchAttributeValue] => entry[1] !== null,
        ),
      )
    : undefined;
}

import { invalidArgument } from './errors.js';

/** Identifies one run: the namespace, the workflow id that names a chain of runs, and the run. */
export interface RunKey {
  readonly namespace: string;
  readonly workflowId: string;
  readonly runId: string;
}

export const DEFAULT_NAMESPACE = 'default';

const NAMESPACE_RE = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MAX_WORKFLOW_ID_LENGTH = 1000;

/** Namespaces: 1–63 chars of lower-case letters, digits, `_`, `.`, `-`, starting alphanumeric. */
export function validateNamespace(namespace: unknown): string {
  if (typeof namespace !== 'string' || !NAMESPACE_RE.test(namespace)) {
    throw invalidArgument(
      `invalid namespace ${JSON.stringify(namespace)}: use 1-63 lower-case letters, digits, '_', '.' or '-', starting with a letter or digit`,
      { field: 'namespace' },
    );
  }
  return namespace;
}

/** Workflow ids: any non-empty string up to 1000 characters without control characters. */
export function validateWorkflowId(workflowId: unknown): string {
  if (
    typeof workflowId !== 'string' ||
    workflowId.length === 0 ||
    workflowId.length > MAX_WORKFLOW_ID_LENGTH ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/.test(workflowId)
  ) {
    throw invalidArgument(
      `invalid workflow id ${JSON.stringify(workflowId)}: use a non-empty string of at most ${MAX_WORKFLOW_ID_LENGTH} characters without control characters`,
      { field: 'workflowId' },
    );
  }
  return workflowId;
}

/** Run ids are lower-case UUIDs. */
export function validateRunId(runId: unknown): string {
  if (typeof runId !== 'string' || !UUID_RE.test(runId)) {
    throw invalidArgument(`invalid run id ${JSON.stringify(runId)}: expected a lower-case UUID`, {
      field: 'runId',
    });
  }
  return runId;
}

export function validateRunKey(run: RunKey): RunKey {
  validateNamespace(run.namespace);
  validateWorkflowId(run.workflowId);
  validateRunId(run.runId);
  return run;
}

export function formatRunKey(run: RunKey): string {
  return `${run.namespace}/${run.workflowId}/${run.runId}`;
}

// The actions on one run: which fields each asks for and the exact API call it makes.
import { wfPath } from '../../api.js';
import type { ApiCall } from '../../components/dialog.js';
import type { Description, HistoryEvent } from '../../types.js';

export type FieldKind = 'text' | 'json-args' | 'select';

export interface Field {
  readonly name: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly required?: boolean;
  readonly placeholder?: string;
  readonly options?: readonly { readonly value: string; readonly label: string }[];
}

export interface ActionSpec {
  readonly id: string;
  readonly label: string;
  /** Changes the run (hidden from readers). */
  readonly mutating: boolean;
  readonly danger?: boolean;
  readonly fields: readonly Field[];
  readonly shown: (d: Description) => boolean;
  /** The call for these field values, or an error message naming the field to fix. */
  readonly build: (v: Record<string, string>) => ApiCall | string;
}

const OPEN = new Set(['RUNNING', 'PAUSED']);
const isOpen = (d: Description): boolean => OPEN.has(d.status);

/** Arguments typed as a JSON array (or one JSON value, taken as the only argument). */
export function parseArgs(text: string, label: string): unknown[] | string {
  if (text.trim() === '') return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as unknown[]) : [v];
  } catch (err) {
    return `${label}: not valid JSON (${(err as Error).message})`;
  }
}

const reason: Field = {
  name: 'reason',
  label: 'Reason',
  kind: 'text',
  placeholder: 'why (recorded in the history)',
};

export function actionSpecs(
  ns: string,
  d: Description,
  events: readonly HistoryEvent[],
): ActionSpec[] {
  const path = (rest: string): string => wfPath(ns, d.workflowId, rest);
  const runId = d.runId;
  const simple = (
    id: string,
    label: string,
    withReason: boolean,
    shown: (d: Description) => boolean,
    danger = false,
  ): ActionSpec => ({
    id,
    label,
    mutating: true,
    danger,
    fields: withReason ? [reason] : [],
    shown,
    build: (v) => ({
      method: 'POST',
      path: path(`/${id}`),
      body: { runId, ...(withReason && v.reason ? { reason: v.reason } : {}) },
    }),
  });
  const boundaries = events.filter((e) => e.type === 'WorkflowTaskCompleted');
  return [
    ...messageSpecs(path, runId),
    simple('pause', 'Pause', true, (d) => d.status === 'RUNNING'),
    simple('resume', 'Resume', false, (d) => d.status === 'PAUSED'),
    simple('cancel', 'Cancel', true, isOpen, true),
    simple('terminate', 'Terminate', true, isOpen, true),
    {
      id: 'reset',
      label: 'Reset',
      mutating: true,
      danger: true,
      fields: [
        {
          name: 'to',
          label: 'Reset to the end of workflow task',
          kind: 'select',
          required: true,
          options: [
            { value: 'lastWorkflowTask', label: 'the last workflow task' },
            { value: 'firstWorkflowTask', label: 'the first workflow task' },
            ...boundaries.map((e) => ({ value: String(e.seq), label: `event #${e.seq}` })),
          ],
        },
        reason,
      ],
      shown: () => boundaries.length > 0,
      build: (v) => {
        const to = /^\d+$/.test(v.to ?? '') ? Number(v.to) : (v.to ?? 'lastWorkflowTask');
        return {
          method: 'POST',
          path: path('/reset'),
          body: { runId, to, ...(v.reason ? { reason: v.reason } : {}) },
        };
      },
    },
    simple('reopen', 'Reopen', true, (d) => d.status === 'FAILED' || d.status === 'CANCELLED'),
    {
      id: 'retry',
      label: 'Retry',
      mutating: true,
      fields: [
        { name: 'version', label: 'Version to re-pin to (empty: the routed one)', kind: 'text' },
      ],
      shown: (d) => d.stuck !== undefined,
      build: (v) => ({
        method: 'POST',
        path: path('/retry'),
        body: { runId, ...(v.version ? { version: v.version } : {}) },
      }),
    },
  ];
}

function messageSpecs(path: (rest: string) => string, runId: string): ActionSpec[] {
  return [
    {
      id: 'query',
      label: 'Query',
      mutating: false,
      fields: [
        {
          name: 'name',
          label: 'Query name',
          kind: 'text',
          required: true,
          placeholder: '__stack_trace',
        },
        { name: 'args', label: 'Arguments (JSON array)', kind: 'json-args', placeholder: '[]' },
      ],
      shown: () => true,
      build: (v) => message(path('/query'), runId, v),
    },
    {
      id: 'signal',
      label: 'Signal',
      mutating: true,
      fields: [
        { name: 'name', label: 'Signal name', kind: 'text', required: true },
        { name: 'args', label: 'Arguments (JSON array)', kind: 'json-args', placeholder: '[]' },
      ],
      shown: isOpen,
      build: (v) => message(path('/signal'), runId, v),
    },
    {
      id: 'update',
      label: 'Update',
      mutating: true,
      fields: [
        { name: 'name', label: 'Update name', kind: 'text', required: true },
        { name: 'args', label: 'Arguments (JSON array)', kind: 'json-args', placeholder: '[]' },
      ],
      shown: isOpen,
      build: (v) => message(path('/update'), runId, v),
    },
  ];
}

function message(p: string, runId: string, v: Record<string, string>): ApiCall | string {
  const name = (v.name ?? '').trim();
  if (!name) return 'Give a name.';
  const args = parseArgs(v.args ?? '', 'Arguments');
  if (typeof args === 'string') return args;
  return { method: 'POST', path: p, body: { name, ...(args.length ? { args } : {}), runId } };
}

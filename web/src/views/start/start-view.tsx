// Start a workflow: type, id, JSON arguments, task queue, memo, search attributes and
// timeouts; "Start like this one" fills it from another run's start.
import { useEffect, useState } from 'preact/hooks';
import { api, nsPath, qs, wfPath } from '../../api.js';
import { ConfirmCall } from '../../components/dialog.js';
import { ErrorBox } from '../../components/error-box.js';
import { useLoad } from '../../hooks.js';
import { readable } from '../../payload.js';
import { href, navigate } from '../../router.js';
import type { HistoryPage } from '../../types.js';
import { parseArgs } from '../run/action-specs.js';

interface Form {
  workflowType: string;
  workflowId: string;
  args: string;
  taskQueue: string;
  memo: string;
  searchAttributes: string;
  executionTimeout: string;
}

const EMPTY: Form = {
  workflowType: '',
  workflowId: '',
  args: '',
  taskQueue: '',
  memo: '',
  searchAttributes: '',
  executionTimeout: '',
};

export function StartView({ ns, params }: { ns: string; params: URLSearchParams }) {
  const from = params.get('from') ?? '';
  const [form, setForm] = useState<Form>(EMPTY);
  const [confirming, setConfirming] = useState(false);
  const types = useLoad(
    (signal) =>
      api<{ versions: { routedTypes: string[] }[] }>('GET', nsPath(ns, '/packages'), { signal }),
    [ns],
  );
  const source = useLoad(
    async (signal) => (from ? loadStart(ns, from, signal) : undefined),
    [ns, from],
  );
  useEffect(() => {
    if (source.data) setForm(source.data);
  }, [source.data]);
  const built = buildStart(form);
  const set = (k: keyof Form) => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const typeNames = [...new Set(types.data?.versions.flatMap((v) => v.routedTypes) ?? [])].sort();
  return (
    <section class="start">
      <h1>{from ? 'Start a workflow like this one' : 'Start a workflow'}</h1>
      <ErrorBox error={source.error} />
      <form
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          setConfirming(true);
        }}
      >
        <label class="block">
          <span>Workflow type (required)</span>
          <input
            list="workflow-types"
            value={form.workflowType}
            onInput={set('workflowType')}
            required
          />
          <datalist id="workflow-types">
            {typeNames.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label class="block">
          <span>Workflow id (empty: a new id)</span>
          <input value={form.workflowId} onInput={set('workflowId')} />
        </label>
        <label class="block">
          <span>Arguments (JSON array)</span>
          <textarea
            value={form.args}
            onInput={set('args')}
            spellcheck={false}
            placeholder='["Ada"]'
          />
        </label>
        <label class="block">
          <span>Task queue (empty: the default)</span>
          <input value={form.taskQueue} onInput={set('taskQueue')} />
        </label>
        <label class="block">
          <span>Memo (JSON object)</span>
          <textarea value={form.memo} onInput={set('memo')} spellcheck={false} placeholder="{}" />
        </label>
        <label class="block">
          <span>Search attributes (JSON object)</span>
          <textarea
            value={form.searchAttributes}
            onInput={set('searchAttributes')}
            spellcheck={false}
            placeholder="{}"
          />
        </label>
        <label class="block">
          <span>Execution timeout (e.g. 1h; empty: none)</span>
          <input value={form.executionTimeout} onInput={set('executionTimeout')} />
        </label>
        {typeof built === 'string' && form.workflowType && (
          <p class="error" role="alert">
            {built}
          </p>
        )}
        <button type="submit" class="primary" disabled={typeof built === 'string'}>
          Start…
        </button>
      </form>
      {confirming && typeof built !== 'string' && (
        <ConfirmCall
          title="Start a workflow"
          call={{ method: 'POST', path: nsPath(ns, '/workflows'), body: built }}
          run={() =>
            api<{ workflowId: string; runId: string }>('POST', nsPath(ns, '/workflows'), {
              body: built,
            })
          }
          onDone={(a) => {
            const { workflowId, runId } = a as { workflowId: string; runId: string };
            navigate(href.run(ns, workflowId, runId));
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </section>
  );
}

function json(text: string, label: string): Record<string, unknown> | string | undefined {
  if (text.trim() === '') return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return `${label}: give a JSON object`;
    return v as Record<string, unknown>;
  } catch (err) {
    return `${label}: not valid JSON (${(err as Error).message})`;
  }
}

/** The start request for the form, or what to fix. */
function buildStart(f: Form): Record<string, unknown> | string {
  if (!f.workflowType.trim()) return 'Give a workflow type.';
  const args = parseArgs(f.args, 'Arguments');
  if (typeof args === 'string') return args;
  const memo = json(f.memo, 'Memo');
  if (typeof memo === 'string') return memo;
  const sa = json(f.searchAttributes, 'Search attributes');
  if (typeof sa === 'string') return sa;
  return {
    workflowType: f.workflowType.trim(),
    ...(f.workflowId.trim() ? { workflowId: f.workflowId.trim() } : {}),
    ...(args.length ? { args } : {}),
    ...(f.taskQueue.trim() ? { taskQueue: f.taskQueue.trim() } : {}),
    ...(memo ? { memo } : {}),
    ...(sa ? { searchAttributes: sa } : {}),
    ...(f.executionTimeout.trim() ? { executionTimeout: f.executionTimeout.trim() } : {}),
  };
}

/** The form as another run was started (its WorkflowStarted event, decoded). */
async function loadStart(ns: string, from: string, signal: AbortSignal): Promise<Form> {
  const slash = from.lastIndexOf('/');
  const workflowId = from.slice(0, slash);
  const runId = from.slice(slash + 1);
  const page = await api<HistoryPage>(
    'GET',
    wfPath(ns, workflowId, `/history${qs({ runId, fromSeq: 1, maxEvents: 1, decode: true })}`),
    { signal },
  );
  const started = page.events[0] ?? { seq: 1, type: '', recordedAt: 0 };
  const text = (v: unknown): string =>
    v === undefined || (typeof v === 'object' && v !== null && Object.keys(v).length === 0)
      ? ''
      : JSON.stringify(v, null, 2);
  return {
    workflowType: typeof started.workflowType === 'string' ? started.workflowType : '',
    workflowId: `${workflowId}-again`,
    args: text(readable(started.args)),
    taskQueue: typeof started.taskQueue === 'string' ? started.taskQueue : '',
    memo: text(readable(started.memo)),
    searchAttributes: text(started.searchAttributes),
    executionTimeout:
      typeof started.executionTimeoutMs === 'number' ? `${started.executionTimeoutMs}ms` : '',
  };
}

// Batch jobs: one operation applied to every run a query matches. A dry run shows how many
// runs a job would change, and the first of them, before anything starts.
import { useState } from 'preact/hooks';
import { api, nsPath } from '../../api.js';
import { ConfirmCall } from '../../components/dialog.js';
import { ErrorBox } from '../../components/error-box.js';
import { StatusBadge } from '../../components/status-badge.js';
import { time } from '../../format.js';
import { useLoad } from '../../hooks.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
import type { ListItem } from '../../types.js';
import { parseArgs } from '../run/action-specs.js';

interface Job {
  readonly jobId: string;
  readonly state: string;
  readonly query?: string;
  readonly operation?: { type: string };
  readonly matched: number;
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly startedAt: string | number;
  readonly closedAt?: string | number | null;
}

interface DryRun {
  readonly matched: number;
  readonly sample: readonly ListItem[];
}

const OPS = ['cancel', 'terminate', 'signal', 'reset'] as const;

export function BatchesView({ ns }: { ns: string }) {
  const { can } = useSession();
  const jobs = useLoad(
    (signal) => api<{ jobs: Job[] }>('GET', nsPath(ns, '/batches'), { signal }),
    [ns],
    3_000,
  );
  const [stop, setStop] = useState<string>();
  return (
    <section>
      <h1>Batches</h1>
      {can.operate && <NewBatch ns={ns} onStarted={jobs.reload} />}
      <h2>Jobs</h2>
      <ErrorBox error={jobs.error} />
      {jobs.data?.jobs.length === 0 && <p class="muted">No batch jobs in the last 7 days.</p>}
      {jobs.data && jobs.data.jobs.length > 0 && (
        <table class="grid" data-testid="batch-jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">State</th>
              <th scope="col">Operation</th>
              <th scope="col">Matched</th>
              <th scope="col">Done / skipped / failed</th>
              <th scope="col">Started</th>
              {can.operate && <th scope="col">Stop</th>}
            </tr>
          </thead>
          <tbody>
            {jobs.data.jobs.map((j) => (
              <tr key={j.jobId}>
                <td>
                  <code>{j.jobId}</code>
                  {j.query && <div class="muted mono">{j.query}</div>}
                </td>
                <td>{j.state.toLowerCase()}</td>
                <td>{j.operation?.type ?? '—'}</td>
                <td>{j.matched}</td>
                <td>
                  {j.succeeded} / {j.skipped} / {j.failed}
                </td>
                <td>{time(j.startedAt)}</td>
                {can.operate && (
                  <td>
                    {j.state === 'RUNNING' && (
                      <button type="button" onClick={() => setStop(j.jobId)}>
                        Stop…
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {stop && (
        <ConfirmCall
          title={`Stop job ${stop}`}
          call={{ method: 'POST', path: nsPath(ns, `/batches/${encodeURIComponent(stop)}/stop`) }}
          run={() => api('POST', nsPath(ns, `/batches/${encodeURIComponent(stop)}/stop`))}
          onDone={() => {
            setStop(undefined);
            jobs.reload();
          }}
          onClose={() => setStop(undefined)}
        />
      )}
    </section>
  );
}

function NewBatch({ ns, onStarted }: { ns: string; onStarted: () => void }) {
  const [query, setQuery] = useState('');
  const [op, setOp] = useState<(typeof OPS)[number]>('cancel');
  const [reason, setReason] = useState('');
  const [signal, setSignal] = useState('');
  const [args, setArgs] = useState('');
  const [preview, setPreview] = useState<DryRun>();
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState(false);
  const parsed = parseArgs(args, 'Signal arguments');
  const operation =
    op === 'signal'
      ? { type: op, signal, ...(Array.isArray(parsed) && parsed.length ? { args: parsed } : {}) }
      : { type: op, ...(reason ? { reason } : {}) };
  const invalid = !query.trim()
    ? 'Give a query.'
    : op === 'signal' && !signal.trim()
      ? 'Give the signal name.'
      : typeof parsed === 'string'
        ? parsed
        : undefined;
  const body = { query: query.trim(), operation };
  const dryRun = async (): Promise<void> => {
    setError(undefined);
    setPreview(undefined);
    try {
      setPreview(
        await api<DryRun>('POST', nsPath(ns, '/batches'), { body: { ...body, dryRun: true } }),
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card form" onSubmit={(e) => e.preventDefault()} aria-label="New batch job">
      <h2>New batch job</h2>
      <label class="block">
        <span>Runs to change (query, required)</span>
        <input
          class="mono"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          placeholder="ExecutionStatus = 'Running' AND WorkflowType = 'order'"
        />
      </label>
      <label class="block">
        <span>Operation</span>
        <select value={op} onChange={(e) => setOp(e.currentTarget.value as (typeof OPS)[number])}>
          {OPS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      {op === 'signal' ? (
        <>
          <label class="block">
            <span>Signal name</span>
            <input value={signal} onInput={(e) => setSignal(e.currentTarget.value)} />
          </label>
          <label class="block">
            <span>Signal arguments (JSON array)</span>
            <textarea
              value={args}
              onInput={(e) => setArgs(e.currentTarget.value)}
              spellcheck={false}
            />
          </label>
        </>
      ) : (
        <label class="block">
          <span>Reason</span>
          <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
      )}
      {invalid && query && <p class="error">{invalid}</p>}
      <div class="inline">
        <button type="button" disabled={invalid !== undefined} onClick={() => void dryRun()}>
          Preview (dry run)
        </button>
        <button
          type="button"
          class="primary"
          disabled={invalid !== undefined}
          onClick={() => setConfirming(true)}
        >
          Start…
        </button>
      </div>
      <ErrorBox error={error} what="The dry run" />
      {preview && <Preview ns={ns} preview={preview} />}
      {confirming && (
        <ConfirmCall
          title="Start a batch job"
          danger={op !== 'signal'}
          call={{ method: 'POST', path: nsPath(ns, '/batches'), body }}
          run={() => api('POST', nsPath(ns, '/batches'), { body })}
          onDone={() => {
            setConfirming(false);
            setPreview(undefined);
            onStarted();
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </form>
  );
}

function Preview({ ns, preview }: { ns: string; preview: DryRun }) {
  const more = preview.matched > preview.sample.length;
  return (
    <div data-testid="dry-run" role="status">
      <p>
        Would change <strong>{preview.matched}</strong> runs
        {more ? `; the first ${preview.sample.length}:` : ':'}
      </p>
      <ul>
        {preview.sample.map((r) => (
          <li key={r.runId}>
            <a href={href.run(ns, r.workflowId, r.runId)}>{r.workflowId}</a> {r.workflowType}{' '}
            <StatusBadge status={r.status} />
          </li>
        ))}
      </ul>
    </div>
  );
}

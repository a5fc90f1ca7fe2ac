// The action bar of a run: every action opens a dialog that asks for its fields and shows
// the exact API call before it is made. Readers see only Query.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ConfirmCall } from '../../components/dialog.js';
import { JsonView } from '../../components/json-view.js';
import { href, navigate } from '../../router.js';
import { useSession } from '../../session.js';
import type { Description, HistoryEvent } from '../../types.js';
import { actionSpecs, type ActionSpec } from './action-specs.js';

export function Actions(props: {
  ns: string;
  d: Description;
  events: readonly HistoryEvent[];
  onChanged: () => void;
}) {
  const { ns, d } = props;
  const { can } = useSession();
  const [open, setOpen] = useState<ActionSpec>();
  const [answer, setAnswer] = useState<{ label: string; value: unknown }>();
  const specs = actionSpecs(ns, d, props.events).filter(
    (s) => s.shown(d) && (!s.mutating || can.operate),
  );
  const done = (spec: ActionSpec, value: unknown): void => {
    setOpen(undefined);
    const next = value as { runId?: string; workflowId?: string; result?: unknown };
    if ((spec.id === 'reset' || spec.id === 'reopen') && typeof next.runId === 'string') {
      navigate(href.run(ns, next.workflowId ?? d.workflowId, next.runId));
      return;
    }
    if (spec.id === 'query' || spec.id === 'update')
      setAnswer({ label: spec.label, value: next.result ?? value });
    props.onChanged();
  };
  return (
    <div class="actions-area">
      <div class="actions" role="toolbar" aria-label="Actions">
        {specs.map((s) => (
          <button
            key={s.id}
            type="button"
            class={s.danger ? 'danger-outline' : undefined}
            onClick={() => setOpen(s)}
          >
            {s.label}…
          </button>
        ))}
        {can.operate && (
          <a class="button" href={href.start(ns, { workflowId: d.workflowId, runId: d.runId })}>
            Start like this one
          </a>
        )}
      </div>
      {answer && (
        <div class="answer" role="status" data-testid="action-answer">
          <strong>{answer.label} answered:</strong>
          <JsonView value={answer.value} label={`${answer.label} answer`} />
          <button type="button" class="link" onClick={() => setAnswer(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {open && (
        <ActionDialog
          spec={open}
          onClose={() => setOpen(undefined)}
          onDone={(v) => done(open, v)}
        />
      )}
    </div>
  );
}

function ActionDialog(props: {
  spec: ActionSpec;
  onClose: () => void;
  onDone: (answer: unknown) => void;
}) {
  const { spec } = props;
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      spec.fields.map((f) => [f.name, f.kind === 'select' ? (f.options?.[0]?.value ?? '') : '']),
    ),
  );
  const built = spec.build(values);
  const call = typeof built === 'string' ? undefined : built;
  const set = (name: string, value: string): void => setValues((v) => ({ ...v, [name]: value }));
  return (
    <ConfirmCall
      title={`${spec.label} ${spec.mutating ? 'this run' : ''}`.trim()}
      call={call ?? { method: 'POST', path: '…' }}
      invalid={typeof built === 'string' ? built : undefined}
      danger={spec.danger === true}
      run={() =>
        call
          ? api('POST', call.path, { body: call.body })
          : Promise.reject(new Error(typeof built === 'string' ? built : 'invalid'))
      }
      onDone={props.onDone}
      onClose={props.onClose}
    >
      {spec.fields.map((f) => (
        <label class="block" key={f.name}>
          <span>
            {f.label}
            {f.required ? ' (required)' : ''}
          </span>
          {f.kind === 'select' ? (
            <select
              data-kind="select"
              value={values[f.name]}
              onChange={(e) => set(f.name, e.currentTarget.value)}
            >
              {f.options?.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          ) : f.kind === 'json-args' ? (
            <textarea
              value={values[f.name]}
              placeholder={f.placeholder}
              spellcheck={false}
              onInput={(e) => set(f.name, e.currentTarget.value)}
            />
          ) : (
            <input
              value={values[f.name]}
              placeholder={f.placeholder}
              onInput={(e) => set(f.name, e.currentTarget.value)}
            />
          )}
        </label>
      ))}
    </ConfirmCall>
  );
}

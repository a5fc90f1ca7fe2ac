// Where the run's code waits now: the built-in `__stack_trace` query.
import { api, wfPath } from '../../api.js';
import { ErrorBox } from '../../components/error-box.js';
import { useLoad } from '../../hooks.js';

export function CallStack(props: { ns: string; workflowId: string; runId: string; open: boolean }) {
  const stack = useLoad(
    (signal) =>
      api<{ result: string }>('POST', wfPath(props.ns, props.workflowId, '/query'), {
        body: { name: '__stack_trace', runId: props.runId },
        signal,
      }),
    [props.ns, props.workflowId, props.runId],
    props.open ? 5_000 : undefined,
  );
  return (
    <section aria-label="Call stack">
      <p class="muted">
        The built-in <code>__stack_trace</code> query: what the workflow code awaits, and where.
        {props.open
          ? ' Refreshed every 5 s.'
          : ' The run is closed: answered from a replay of its history.'}
      </p>
      <ErrorBox error={stack.error} />
      {stack.data && (
        <pre class="stack" data-testid="call-stack" tabIndex={0}>
          {stack.data.result || '(nothing pending)'}
        </pre>
      )}
    </section>
  );
}

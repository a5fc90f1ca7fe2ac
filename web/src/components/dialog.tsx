// A modal dialog (the native <dialog>: focus trapped, Escape closes) and the confirmation
// dialog every mutating action goes through, showing the exact API call it will make.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { API_BASE } from '../api.js';
import { ErrorBox } from './error-box.js';

export function Modal(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      class={props.wide ? 'modal wide' : 'modal'}
      aria-labelledby="modal-title"
      onClose={props.onClose}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <h2 id="modal-title">{props.title}</h2>
      {props.children}
    </dialog>
  );
}

export interface ApiCall {
  readonly method: string;
  /** Relative to /api/v1. */
  readonly path: string;
  readonly body?: unknown;
}

/** Shows `call`, runs it on "Confirm"; shows the answer or the error. */
export function ConfirmCall(props: {
  title: string;
  call: ApiCall;
  /** Why the call cannot be made yet (a field to fix); Confirm stays disabled. */
  invalid?: string | undefined;
  run: () => Promise<unknown>;
  onDone: (answer: unknown) => void;
  onClose: () => void;
  danger?: boolean;
  children?: ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await props.run();
      props.onDone(answer);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={props.title} onClose={props.onClose} wide>
      {props.children}
      <p class="muted">This calls:</p>
      <pre class="api-call" data-testid="api-call">
        {`${props.call.method} ${API_BASE}${props.call.path}`}
        {props.call.body !== undefined ? `\n${JSON.stringify(props.call.body, null, 2)}` : ''}
      </pre>
      {props.invalid && (
        <p class="error" role="alert">
          {props.invalid}
        </p>
      )}
      <ErrorBox error={error} />
      <div class="dialog-buttons">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button
          type="button"
          class={props.danger ? 'danger' : 'primary'}
          disabled={busy || props.invalid !== undefined}
          onClick={() => void confirm()}
        >
          {busy ? 'Working…' : 'Confirm'}
        </button>
      </div>
    </Modal>
  );
}

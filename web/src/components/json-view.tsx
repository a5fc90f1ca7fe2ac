// Pretty-printed JSON; large values are cut with a "Show all" button.
import { useState } from 'preact/hooks';

const LIMIT = 4_000;

export function JsonView({ value, label }: { value: unknown; label?: string }) {
  const [all, setAll] = useState(false);
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value, null, 2) ?? typeof value);
  } catch {
    text = '(a value that cannot be shown as JSON)';
  }
  const cut = !all && text.length > LIMIT;
  return (
    <div class="json">
      <pre tabIndex={0} aria-label={label ?? 'JSON value'}>
        {cut ? `${text.slice(0, LIMIT)}\n…` : text}
      </pre>
      {cut && (
        <button type="button" class="link" onClick={() => setAll(true)}>
          Show all ({Math.round(text.length / 1024)} KiB)
        </button>
      )}
    </div>
  );
}

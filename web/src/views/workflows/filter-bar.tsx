// The chips beside the query box: workflow type, start time, workflow-id prefix, live refresh.
import { useState } from 'preact/hooks';
import { WITHIN, type Filters } from './compose.js';

export function FilterBar(props: {
  filters: Filters;
  workflowTypes: readonly string[];
  go: (f: Filters) => void;
  live: boolean;
  /** The run feed is connected. */
  feed: boolean;
  setLive: (live: boolean) => void;
}) {
  const { filters, go } = props;
  const [prefix, setPrefix] = useState(filters.prefix);
  const [shown, setShown] = useState(filters.prefix);
  if (shown !== filters.prefix) {
    setShown(filters.prefix);
    setPrefix(filters.prefix);
  }
  return (
    <div class="filters">
      <label>
        <span>Type</span>
        <select
          value={filters.type}
          onChange={(e) => go({ ...filters, type: e.currentTarget.value })}
        >
          <option value="">any</option>
          {props.workflowTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Started</span>
        <select
          value={filters.within}
          onChange={(e) => go({ ...filters, within: e.currentTarget.value })}
        >
          <option value="">any time</option>
          {Object.entries(WITHIN).map(([k, w]) => (
            <option key={k} value={k}>
              {w.label}
            </option>
          ))}
        </select>
      </label>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...filters, prefix });
        }}
      >
        <label for="prefix">Workflow id starts with</label>
        <input
          id="prefix"
          value={prefix}
          onInput={(e) => setPrefix(e.currentTarget.value)}
          spellcheck={false}
        />
      </form>
      <label class="check">
        <input
          type="checkbox"
          checked={props.live}
          onChange={(e) => props.setLive(e.currentTarget.checked)}
        />
        <span>Live</span>
        {props.live && (
          <span class="muted" data-testid="live-mode">
            {props.feed ? '(as runs change)' : '(every 5 s)'}
          </span>
        )}
      </label>
    </div>
  );
}

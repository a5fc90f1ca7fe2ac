// The runs of one page as a virtualised table: rows are focusable, Enter opens a run,
// ArrowUp/ArrowDown move between rows. Every cell comes from the list answer itself.
import { useRef } from 'preact/hooks';
import { useVirtualRows } from '../../components/virtual-rows.js';
import { StatusBadge } from '../../components/status-badge.js';
import { shortId, time } from '../../format.js';
import { href, navigate } from '../../router.js';
import type { ListItem, SearchAttributeValue } from '../../types.js';

const ROW = 36;

export function WorkflowTable(props: {
  ns: string;
  items: readonly ListItem[];
  attributes: readonly string[];
}) {
  const { ns, items, attributes } = props;
  const scroll = useRef<HTMLDivElement>(null);
  const v = useVirtualRows(items.length, ROW, scroll);
  const columns = `minmax(12rem, 2fr) minmax(8rem, 1fr) 9rem 11rem 11rem 7rem 4rem${' minmax(7rem, 1fr)'.repeat(attributes.length)}`;
  const open = (item: ListItem): void => navigate(href.run(ns, item.workflowId, item.runId));
  const focusRow = (index: number): void => {
    if (index < 0 || index >= items.length) return;
    v.scrollToIndex(index);
    requestAnimationFrame(() =>
      scroll.current?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus(),
    );
  };
  return (
    <div
      class="table-scroll"
      ref={scroll}
      role="table"
      aria-label="Workflow runs"
      aria-rowcount={items.length + 1}
    >
      <div class="trow thead" role="row" style={{ gridTemplateColumns: columns }} aria-rowindex={1}>
        {[
          'Workflow id',
          'Type',
          'Status',
          'Started',
          'Closed',
          'Version',
          'Stuck',
          ...attributes,
        ].map((c) => (
          <span role="columnheader" key={c}>
            {c}
          </span>
        ))}
      </div>
      <div class="tbody" style={{ height: `${v.getTotalSize()}px` }} role="rowgroup">
        {v.getVirtualItems().map((row) => {
          const item = items[row.index];
          if (!item) return null;
          return (
            <div
              key={item.runId}
              class="trow"
              role="row"
              tabIndex={0}
              data-index={row.index}
              data-testid="workflow-row"
              aria-rowindex={row.index + 2}
              style={{
                gridTemplateColumns: columns,
                transform: `translateY(${row.start}px)`,
                height: `${ROW}px`,
              }}
              onClick={() => open(item)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') open(item);
                else if (e.key === 'ArrowDown') {
                  e.preventDefault();
                  focusRow(row.index + 1);
                } else if (e.key === 'ArrowUp') {
                  e.preventDefault();
                  focusRow(row.index - 1);
                }
              }}
            >
              <span
                role="cell"
                class="mono ellipsis"
                title={`${item.workflowId}\nrun ${item.runId}`}
              >
                {item.workflowId}
              </span>
              <span role="cell" class="ellipsis">
                {item.workflowType}
              </span>
              <span role="cell">
                <StatusBadge status={item.status} />
              </span>
              <span role="cell" class="mono">
                {time(item.startTime)}
              </span>
              <span role="cell" class="mono">
                {time(item.closeTime)}
              </span>
              <span role="cell" class="mono" title={item.version}>
                {shortId(item.version, 8)}
              </span>
              <span role="cell">{item.stuck ? <span class="badge warn">stuck</span> : ''}</span>
              {attributes.map((a) => (
                <span role="cell" key={a} class="ellipsis">
                  {formatAttr(item.searchAttributes[a])}
                </span>
              ))}
            </div>
          );
        })}
      </div>
      {items.length === 0 && <p class="empty">No runs match.</p>}
    </div>
  );
}

/** A typed value as text: a list joined with commas, a Datetime as a UTC time. */
function formatAttr(sa: SearchAttributeValue | undefined): string {
  if (sa === undefined) return '';
  switch (sa.type) {
    case 'KeywordList':
      return sa.value.join(', ');
    case 'Datetime':
      return time(sa.value);
    default:
      return String(sa.value);
  }
}

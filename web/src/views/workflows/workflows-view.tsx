// The workflows list: query box with completion, filter chips, counts by status, saved
// views, a virtualised page of runs, cursor pages that Back/Forward return to, and live
// refresh.
import { useState } from 'preact/hooks';
import { ErrorBox } from '../../components/error-box.js';
import { href, navigate } from '../../router.js';
import { useSession } from '../../session.js';
import { BUILTIN_FIELDS, type WorkflowStatus } from '../../types.js';
import { composeQuery, filtersFromParams, filtersToParams, type Filters } from './compose.js';
import { FilterBar } from './filter-bar.js';
import { QueryInput } from './query-input.js';
import { SavedViews } from './saved-views.js';
import { StatusCounts } from './status-counts.js';
import { useListData } from './use-list-data.js';
import { WorkflowTable } from './workflow-table.js';

export function WorkflowsView({ ns, params }: { ns: string; params: URLSearchParams }) {
  const { can } = useSession();
  const filters = filtersFromParams(params);
  const cursor = params.get('cursor') ?? '';
  const page = Number(params.get('page') ?? '1') || 1;
  const [draft, setDraft] = useState(filters.query);
  const [live, setLive] = useState(true);
  // The box follows the URL's query (Back, a saved view) — set while rendering, so a late
  // effect can never overwrite what is typed after it.
  const [shown, setShown] = useState(filters.query);
  if (shown !== filters.query) {
    setShown(filters.query);
    setDraft(filters.query);
  }
  const data = useListData(ns, filters, cursor, live);
  const go = (f: Filters): void => navigate(href.workflows(ns, filtersToParams(f)));
  const items = data.list.data?.items ?? [];
  // Registered search attributes as columns (the first few, by name).
  const shownAttributes = data.attributes.slice(0, 6);
  const toggleStatus = (s: WorkflowStatus): void =>
    go({
      ...filters,
      statuses: filters.statuses.includes(s)
        ? filters.statuses.filter((x) => x !== s)
        : [...filters.statuses, s],
    });
  return (
    <section class="workflows">
      <div class="view-head">
        <h1>Workflows</h1>
        {can.operate && (
          <a class="button primary" href={href.start(ns)}>
            Start workflow
          </a>
        )}
      </div>
      <form
        class="query-row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...filters, query: draft });
        }}
      >
        <label for="query">Query</label>
        <QueryInput
          value={draft}
          onInput={setDraft}
          onSubmit={() => go({ ...filters, query: draft })}
          ctx={{
            fields: [...BUILTIN_FIELDS, ...data.attributes],
            workflowTypes: data.workflowTypes,
          }}
        />
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <FilterBar
        filters={filters}
        workflowTypes={data.workflowTypes}
        go={go}
        live={live}
        feed={data.feed}
        setLive={setLive}
      />
      <StatusCounts counts={data.counts.data} selected={filters.statuses} onToggle={toggleStatus} />
      <p class="effective muted">
        <span>Query sent: </span>
        <code data-testid="effective-query">
          {composeQuery(filters, Date.now()) || '(all runs, newest first)'}
        </code>
      </p>
      <SavedViews ns={ns} filters={filters} />
      <ErrorBox error={data.list.error ?? data.counts.error} />
      <WorkflowTable ns={ns} items={items} attributes={shownAttributes} />
      <Pager
        ns={ns}
        filters={filters}
        page={page}
        next={data.list.data?.nextCursor ?? null}
        loading={data.list.loading}
      />
    </section>
  );
}

function Pager(props: {
  ns: string;
  filters: Filters;
  page: number;
  next: string | null;
  loading: boolean;
}) {
  const { ns, filters, page } = props;
  return (
    <nav class="pager" aria-label="Pages">
      {page > 1 && (
        <a href={href.workflows(ns, filtersToParams(filters))} class="button">
          First page
        </a>
      )}
      {page > 1 && (
        <button type="button" onClick={() => window.history.back()}>
          Previous page
        </button>
      )}
      <span class="muted">
        Page {page}
        {props.loading ? ' · loading…' : ''}
      </span>
      {props.next && (
        <a
          class="button"
          href={href.workflows(ns, {
            ...filtersToParams(filters),
            cursor: props.next,
            page: String(page + 1),
          })}
        >
          Next page
        </a>
      )}
    </nav>
  );
}

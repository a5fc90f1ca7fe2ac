// What the workflows list loads: the page of runs (each with its stuck flag and search
// attribute values), counts by status, the namespace's search attributes and known workflow
// types. Reloaded while live.
import { api, nsPath, qs } from '../../api.js';
import { useRef } from 'preact/hooks';
import { useLoad, type Loaded } from '../../hooks.js';
import { useRunFeed } from '../../run-feed.js';
import type { ListPage } from '../../types.js';
import { composeQuery, filtersToParams, type Filters } from './compose.js';
import { loadCounts, type Counts } from './status-counts.js';

export const PAGE_SIZE = 100;

export interface ListData {
  /** The run feed is connected (changes arrive as they happen). */
  readonly feed: boolean;
  readonly list: Loaded<ListPage>;
  readonly counts: Loaded<Counts>;
  readonly attributes: readonly string[];
  readonly workflowTypes: readonly string[];
}

export function useListData(ns: string, filters: Filters, cursor: string, live: boolean): ListData {
  const key = JSON.stringify(filtersToParams(filters));
  // Live: reload when the run feed reports a change (and every 15 s), or poll every 5 s
  // while the feed is not connected.
  const reloadAll = useRef(() => undefined as void);
  const feed = useRunFeed(ns, live, () => reloadAll.current());
  const pollMs = live ? (feed ? 15_000 : 5_000) : undefined;
  const list = useLoad(
    (signal) =>
      api<ListPage>(
        'GET',
        nsPath(
          ns,
          `/workflows${qs({ query: composeQuery(filters, Date.now()), pageSize: PAGE_SIZE, cursor })}`,
        ),
        { signal },
      ),
    [ns, key, cursor],
    pollMs,
  );
  const counts = useLoad(
    (signal) => loadCounts(ns, composeQuery(filters, Date.now(), true), signal),
    [ns, key],
    pollMs,
  );
  const schema = useLoad(
    (signal) =>
      api<{ searchAttributes: Record<string, string> }>('GET', nsPath(ns, '/search-attributes'), {
        signal,
      }),
    [ns],
  );
  const packages = useLoad(
    (signal) =>
      api<{ versions: { routedTypes: string[] }[] }>('GET', nsPath(ns, '/packages'), { signal }),
    [ns],
  );
  reloadAll.current = () => {
    list.reload();
    counts.reload();
  };
  const items = list.data?.items ?? [];
  const workflowTypes = [
    ...new Set([
      ...(packages.data?.versions.flatMap((v) => v.routedTypes) ?? []),
      ...items.map((i) => i.workflowType),
    ]),
  ].sort();
  return {
    feed,
    list,
    counts,
    attributes: Object.keys(schema.data?.searchAttributes ?? {}).sort(),
    workflowTypes,
  };
}

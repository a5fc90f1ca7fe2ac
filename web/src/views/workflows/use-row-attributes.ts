// Search-attribute values of the rows in view. List items may not carry them; then the rows
// on screen are described (a few at a time, each run once) and their values kept.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs, wfPath } from '../../api.js';
import type { Description, ListItem } from '../../types.js';

type Values = Record<string, unknown>;

export function useRowAttributes(
  ns: string,
  visible: readonly ListItem[],
  wanted: boolean,
): (item: ListItem) => Values | undefined {
  const cache = useRef(new Map<string, Values>());
  const asked = useRef(new Set<string>());
  const [, setVersion] = useState(0);
  const missing = wanted
    ? visible.filter((i) => i.searchAttributes === undefined && !asked.current.has(i.runId))
    : [];
  const key = missing.map((i) => i.runId).join(',');
  useEffect(() => {
    if (key === '') return undefined;
    const timer = window.setTimeout(() => {
      for (const item of missing) asked.current.add(item.runId);
      void Promise.all(
        missing.map(async (item) => {
          try {
            const d = await api<Description>(
              'GET',
              wfPath(ns, item.workflowId, qs({ runId: item.runId })),
            );
            cache.current.set(item.runId, d.searchAttributes);
          } catch {
            asked.current.delete(item.runId);
          }
        }),
      ).then(() => setVersion((v) => v + 1));
    }, 150);
    return () => window.clearTimeout(timer);
    // `missing` is derived from `key`.
  }, [ns, key]);
  return (item) => item.searchAttributes ?? cache.current.get(item.runId);
}

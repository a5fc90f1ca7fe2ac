// A run's history, read page by page (`fromSeq`, `maxEvents`) and followed while the run is
// open: new events are read from where the last page ended.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, qs, wfPath } from '../../api.js';
import { useInterval } from '../../hooks.js';
import type { HistoryEvent, HistoryPage } from '../../types.js';

const PAGE = 1000;

export interface History {
  readonly events: readonly HistoryEvent[];
  /** True while older pages are still being read. */
  readonly loading: boolean;
  readonly error: unknown;
  /** The decoded payloads were asked for (the role allows it). */
  readonly decoded: boolean;
  /** Reads events appended since (also done every few seconds while `follow`). */
  readonly refresh: () => void;
}

export function useHistory(
  ns: string,
  workflowId: string,
  runId: string,
  decode: boolean,
  follow: boolean,
): History {
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const next = useRef(1);
  const busy = useRef(false);
  const generation = useRef(0);

  const readFrom = useCallback(
    async (gen: number): Promise<void> => {
      if (busy.current) return;
      busy.current = true;
      try {
        for (;;) {
          const page = await api<HistoryPage>(
            'GET',
            wfPath(
              ns,
              workflowId,
              `/history${qs({ runId, fromSeq: next.current, maxEvents: PAGE, decode: decode || undefined })}`,
            ),
          );
          if (gen !== generation.current) return;
          const fresh = page.events.filter((e) => e.seq >= next.current);
          if (fresh.length > 0) {
            next.current = (fresh[fresh.length - 1]?.seq ?? next.current) + 1;
            setEvents((old) => [...old, ...fresh]);
          }
          if (page.nextSeq === null || fresh.length === 0) break;
        }
        setError(undefined);
      } catch (err) {
        if (gen === generation.current) setError(err);
      } finally {
        busy.current = false;
        if (gen === generation.current) setLoading(false);
      }
    },
    [ns, workflowId, runId, decode],
  );

  useEffect(() => {
    generation.current += 1;
    next.current = 1;
    busy.current = false;
    setEvents([]);
    setLoading(true);
    void readFrom(generation.current);
  }, [readFrom]);
  const refresh = useCallback(() => void readFrom(generation.current), [readFrom]);
  useInterval(refresh, follow ? 2_000 : undefined);
  return { events, loading, error, decoded: decode, refresh };
}

// The history: a compact virtualised list (one line per event, selectable with the keyboard)
// beside the selected event's details, or the whole history as JSON; download as a file.
import { useEffect, useRef, useState } from 'preact/hooks';
import { JsonView } from '../../components/json-view.js';
import { useVirtualRows } from '../../components/virtual-rows.js';
import { time } from '../../format.js';
import { readable } from '../../payload.js';
import type { HistoryEvent } from '../../types.js';
import { eventSummary } from './model.js';
import type { History } from './use-history.js';

const ROW = 28;

export function HistoryView(props: {
  history: History;
  workflowId: string;
  runId: string;
  namespace: string;
  selectedSeq: number | undefined;
  onSelect: (seq: number) => void;
}) {
  const { history } = props;
  const [mode, setMode] = useState<'list' | 'json'>('list');
  const events = history.events;
  const selected = events.find((e) => e.seq === props.selectedSeq) ?? events[0];
  return (
    <section aria-label="History">
      <div class="toolbar">
        <span class="muted" data-testid="history-count">
          {events.length} events{history.loading ? ' (reading…)' : ''}
          {history.decoded ? '' : ' · payloads as stored'}
          {history.streaming ? ' · live' : ''}
        </span>
        <div role="group" aria-label="History view" class="inline">
          <button type="button" aria-pressed={mode === 'list'} onClick={() => setMode('list')}>
            Compact
          </button>
          <button type="button" aria-pressed={mode === 'json'} onClick={() => setMode('json')}>
            Full JSON
          </button>
        </div>
        <button
          type="button"
          onClick={() => download(props.namespace, props.workflowId, props.runId, events)}
        >
          Download JSON
        </button>
      </div>
      {mode === 'json' ? (
        <JsonView value={events.map((e) => readable(e))} label="History as JSON" />
      ) : (
        <div class="history-split">
          <EventList events={events} selected={selected?.seq} onSelect={props.onSelect} />
          <div class="event-detail" aria-live="polite">
            {selected && (
              <>
                <h3>
                  #{selected.seq} {selected.type}
                </h3>
                <p class="muted">{time(selected.recordedAt)}</p>
                <JsonView value={readable(detailOf(selected))} label={`Event ${selected.seq}`} />
              </>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function EventList(props: {
  events: readonly HistoryEvent[];
  selected: number | undefined;
  onSelect: (seq: number) => void;
}) {
  const { events } = props;
  const scroll = useRef<HTMLDivElement>(null);
  const v = useVirtualRows(events.length, ROW, scroll);
  const index = events.findIndex((e) => e.seq === props.selected);
  useEffect(() => {
    if (index >= 0) v.scrollToIndex(index, { align: 'auto' });
  }, [index, v]);
  const move = (to: number): void => {
    const e = events[Math.max(0, Math.min(events.length - 1, to))];
    if (e) props.onSelect(e.seq);
  };
  return (
    <div
      class="event-list"
      ref={scroll}
      role="listbox"
      tabIndex={0}
      aria-label="Events"
      aria-activedescendant={index >= 0 ? `event-${props.selected}` : undefined}
      onKeyDown={(e) => {
        const keys: Record<string, number> = {
          ArrowDown: 1,
          ArrowUp: -1,
          PageDown: 15,
          PageUp: -15,
        };
        const step = keys[e.key];
        if (step !== undefined) {
          e.preventDefault();
          move((index < 0 ? 0 : index) + step);
        } else if (e.key === 'Home') move(0);
        else if (e.key === 'End') move(events.length - 1);
      }}
    >
      <div style={{ height: `${v.getTotalSize()}px`, position: 'relative' }}>
        {v.getVirtualItems().map((row) => {
          const e = events[row.index];
          if (!e) return null;
          return (
            <div
              key={e.seq}
              id={`event-${e.seq}`}
              role="option"
              aria-selected={e.seq === props.selected}
              class={`event-row type-${e.type}`}
              data-testid="event-row"
              style={{ transform: `translateY(${row.start}px)`, height: `${ROW}px` }}
              onClick={() => props.onSelect(e.seq)}
            >
              <span class="seq">{e.seq}</span>
              <span class="etype">{e.type}</span>
              <span class="muted ellipsis">{eventSummary(e)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function detailOf(e: HistoryEvent): Record<string, unknown> {
  const { seq: _seq, type: _type, recordedAt: _at, v: _v, ...rest } = e;
  return rest;
}

function download(
  namespace: string,
  workflowId: string,
  runId: string,
  events: readonly HistoryEvent[],
): void {
  const body = JSON.stringify(
    { format: 'aion-history', formatVersion: 1, namespace, workflowId, runId, events },
    null,
    2,
  );
  const url = URL.createObjectURL(new Blob([body], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${workflowId}-${runId}.history.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The query box: a combobox suggesting attribute names and values as one types
// (ArrowUp/ArrowDown to choose, Enter or Tab to take, Escape to close).
import { useRef, useState } from 'preact/hooks';
import { suggest, type SuggestContext, type Suggestion } from './suggest.js';

export function QueryInput(props: {
  value: string;
  onInput: (v: string) => void;
  onSubmit: () => void;
  ctx: SuggestContext;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(0);
  const open = items.length > 0;

  const refresh = (text: string, caret: number): void => {
    setItems(suggest(text, caret, props.ctx));
    setActive(0);
  };
  const take = (s: Suggestion): void => {
    const el = input.current;
    const caret = el?.selectionStart ?? props.value.length;
    const next = `${props.value.slice(0, s.from)}${s.insert} ${props.value.slice(caret).trimStart()}`;
    props.onInput(next);
    setItems([]);
    const pos = s.from + s.insert.length + 1;
    requestAnimationFrame(() => {
      // Typed on before this frame (a fast typist, a busy machine): the caret is theirs now;
      // moving it back would put what they typed next in the wrong place.
      if (!el || el.value !== next) return;
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  };
  const onKeyDown = (e: KeyboardEvent): void => {
    if (open && e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (a + 1) % items.length);
    } else if (open && e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a - 1 + items.length) % items.length);
    } else if (open && (e.key === 'Enter' || e.key === 'Tab')) {
      const s = items[active];
      if (s) {
        e.preventDefault();
        take(s);
      }
    } else if (open && e.key === 'Escape') {
      e.preventDefault();
      setItems([]);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      props.onSubmit();
    }
  };
  return (
    <div class="combo">
      <input
        ref={input}
        id="query"
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls="query-suggestions"
        aria-activedescendant={open ? `query-suggestion-${active}` : undefined}
        autocomplete="off"
        spellcheck={false}
        placeholder="WorkflowType = 'order' AND ExecutionStatus = 'Running'"
        value={props.value}
        onInput={(e) => {
          props.onInput(e.currentTarget.value);
          refresh(e.currentTarget.value, e.currentTarget.selectionStart ?? 0);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setItems([]), 150)}
      />
      <ul
        id="query-suggestions"
        role="listbox"
        class="suggestions"
        hidden={!open}
        aria-label="Suggestions"
      >
        {items.map((s, i) => (
          <li
            key={`${s.kind}-${s.label}`}
            id={`query-suggestion-${i}`}
            role="option"
            aria-selected={i === active}
            class={i === active ? 'active' : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              take(s);
            }}
          >
            <span>{s.label}</span> <small class="muted">{s.kind}</small>
          </li>
        ))}
      </ul>
    </div>
  );
}

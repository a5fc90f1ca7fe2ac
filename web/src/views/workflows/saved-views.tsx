// Saved views: a name for a set of filters, kept in this browser (localStorage). Each is a
// link (the filters live in the URL's hash), so it can be shared by copying the address.
import { useState } from 'preact/hooks';
import { useStored } from '../../hooks.js';
import { href } from '../../router.js';
import type { Filters } from './compose.js';
import { filtersToParams } from './compose.js';

interface SavedView {
  readonly name: string;
  readonly ns: string;
  readonly params: Record<string, string | undefined>;
}

export function SavedViews({ ns, filters }: { ns: string; filters: Filters }) {
  const [views, setViews] = useStored<SavedView[]>('aion.console.savedViews', []);
  const [name, setName] = useState('');
  const [copied, setCopied] = useState(false);
  const mine = views.filter((v) => v.ns === ns);
  const save = (e: Event): void => {
    e.preventDefault();
    const n = name.trim();
    if (!n) return;
    setViews([
      ...views.filter((v) => !(v.ns === ns && v.name === n)),
      { name: n, ns, params: filtersToParams(filters) },
    ]);
    setName('');
  };
  const copy = (): void => {
    void navigator.clipboard?.writeText(window.location.href).then(() => setCopied(true));
  };
  return (
    <details class="saved-views">
      <summary>Saved views ({mine.length})</summary>
      <ul>
        {mine.map((v) => (
          <li key={v.name}>
            <a href={href.workflows(ns, v.params)}>{v.name}</a>{' '}
            <button
              type="button"
              class="link"
              aria-label={`Delete saved view ${v.name}`}
              onClick={() => setViews(views.filter((x) => x !== v))}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={save} class="inline">
        <label for="saved-view-name">Save these filters as</label>
        <input id="saved-view-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit">Save</button>
        <button type="button" onClick={copy}>
          {copied ? 'Link copied' : 'Copy link'}
        </button>
      </form>
    </details>
  );
}

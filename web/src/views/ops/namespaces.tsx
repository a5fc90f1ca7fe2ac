// Namespaces: each with its description and retention; admins create new ones.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ConfirmCall } from '../../components/dialog.js';
import { ErrorBox } from '../../components/error-box.js';
import { duration, time } from '../../format.js';
import { useLoad } from '../../hooks.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
import type { NamespaceInfo } from '../../types.js';

export function NamespacesView() {
  const { can } = useSession();
  const list = useLoad(
    (signal) => api<{ namespaces: NamespaceInfo[] }>('GET', '/namespaces', { signal }),
    [],
  );
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [retention, setRetention] = useState('');
  const [confirming, setConfirming] = useState(false);
  const body = {
    name: name.trim(),
    ...(description.trim() ? { description: description.trim() } : {}),
    ...(retention.trim() ? { retention: retention.trim() } : {}),
  };
  return (
    <section>
      <h1>Namespaces</h1>
      <ErrorBox error={list.error} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Description</th>
            <th scope="col">Retention of closed runs</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.namespaces.map((n) => (
            <tr key={n.name}>
              <td>
                <a href={href.workflows(n.name)}>{n.name}</a>
              </td>
              <td>{n.description || '—'}</td>
              <td>{n.retentionMs === null ? 'kept' : duration(n.retentionMs)}</td>
              <td>{time(n.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {can.admin && (
        <form
          class="card form"
          onSubmit={(e) => {
            e.preventDefault();
            setConfirming(true);
          }}
        >
          <h2>New namespace</h2>
          <label class="block">
            <span>Name (required)</span>
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} required />
          </label>
          <label class="block">
            <span>Description</span>
            <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </label>
          <label class="block">
            <span>Retention (e.g. 30 days; empty: keep closed runs)</span>
            <input value={retention} onInput={(e) => setRetention(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={!body.name}>
            Create…
          </button>
        </form>
      )}
      {confirming && (
        <ConfirmCall
          title="Create a namespace"
          call={{ method: 'POST', path: '/namespaces', body }}
          run={() => api('POST', '/namespaces', { body })}
          onDone={() => {
            setConfirming(false);
            setName('');
            list.reload();
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </section>
  );
}

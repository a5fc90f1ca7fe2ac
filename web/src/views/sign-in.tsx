// Sign-in with an API key: the server checks it and sets a short-lived session cookie; the
// key itself is not kept by the browser.
import { useState } from 'preact/hooks';
import { ErrorBox } from '../components/error-box.js';
import { signIn } from '../session.js';
import type { SessionInfo } from '../types.js';

export function SignIn({ onSignedIn }: { onSignedIn: (s: SessionInfo) => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(key.trim()));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="center sign-in">
      <h1>Aion console</h1>
      <form onSubmit={(e) => void submit(e)} class="card">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="aion_…"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          required
        />
        <p class="muted">
          Sign in with an API key (<code>aion key create --role reader</code>). The server keeps you
          signed in with a short-lived cookie; the key is not stored.
        </p>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

// Sign-in: the API token, checked against the API before it is kept (in this tab's session storage).
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { signIn } from '../token.js';
import { ApiError, clientFor } from '../api.js';
import { ErrorNote } from './parts.js';

export function SignIn() {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = value.trim();
    if (!t) return setError('Enter an API token.');
    setBusy(true);
    setError(null);
    try {
      await clientFor(t).listSessions();
      signIn(t);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      if (status === 401) setError('This token is not valid for this gateway.');
      else if (status === 403) setError('This token lacks the read scope the console needs.');
      else if (status !== 0) setError(`The gateway answered ${status}.`);
      else setError(`The gateway cannot be reached: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="sign-in" id="main">
    <h1>aintegrix console</h1>
    <form onSubmit=${submit} autocomplete="off" novalidate>
      <label for="token">API token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required
        aria-describedby="token-help" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} />
      <p id="token-help" class="muted">The token <code>make run</code> printed (kept in <code>data/api-token</code>), or one of <code>auth.tokens</code>. It stays in this tab only.</p>
      <button type="submit" disabled=${busy}>Sign in</button>
      <${ErrorNote} error=${error} />
    </form>
  </main>`;
}

import { useState, type FormEvent } from 'react';
import { fetchJson } from '../lib/api';
import { SignInError, signIn, type Credential } from '../lib/auth';

export function SignInPage({ onSignedIn, notice }: { onSignedIn: (c: Credential) => void; notice: string | null }) {
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(secret, fetchJson));
    } catch (err) {
      setError(err instanceof SignInError ? err.message : 'The server did not answer. Is it running?');
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <form className="card signin-card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <div className="brand brand-large">
          <img src="/ui/favicon.svg" alt="" width="32" height="32" />
          <span>Switchboard</span>
        </div>
        <h1 id="signin-title">Sign in</h1>
        {notice && <p className="notice">{notice}</p>}
        <label htmlFor="secret">API token or password</label>
        <input
          id="secret"
          name="secret"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          aria-describedby="secret-hint"
          aria-invalid={error ? true : undefined}
        />
        <p id="secret-hint" className="hint">
          The admin token is printed when the server first starts; <code>npm run -s token</code> prints it again. An API token
          or the admin password works too.
        </p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

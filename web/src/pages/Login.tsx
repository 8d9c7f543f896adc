import { type FormEvent, useState } from 'react';
import { ApiError, post } from '../api/client.ts';
import type { UserView } from '../api/types.ts';
import { ErrorNote, Field } from '../components/ui.tsx';

export function LoginPage({ note, onSignedIn }: { note?: string; onSignedIn(me: UserView): void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await post<{ user: UserView }>('/api/v1/login', { name, password });
      onSignedIn(user);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <span className="brand-mark" aria-hidden="true">
            ✓
          </span>{' '}
          Taskwarden
        </h1>
        {note ? <p className="muted">{note}</p> : null}
        <Field label="User name">
          <input name="name" autoComplete="username" required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Password">
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

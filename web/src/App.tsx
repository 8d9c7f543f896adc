import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, post, SESSION_EXPIRED_EVENT } from './api/client.ts';
import type { UserView } from './api/types.ts';
import { Layout } from './Layout.tsx';
import { LoginPage } from './pages/Login.tsx';
import { SessionContext, sessionOf } from './session.tsx';

type Auth = { state: 'checking' } | { state: 'signed-out'; note?: string } | { state: 'signed-in'; me: UserView };

/** Asks the server who we are; shows the login page until there is a session. */
export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });

  useEffect(() => {
    get<UserView>('/api/v1/me').then(
      (me) => setAuth({ state: 'signed-in', me }),
      (err: unknown) =>
        setAuth({
          state: 'signed-out',
          note: err instanceof ApiError && err.status !== 401 ? err.message : undefined,
        }),
    );
    const expired = () => setAuth({ state: 'signed-out', note: 'Your session ended: sign in again.' });
    window.addEventListener(SESSION_EXPIRED_EVENT, expired);
    return () => window.removeEventListener(SESSION_EXPIRED_EVENT, expired);
  }, []);

  const logout = useCallback(() => {
    post('/api/v1/logout').finally(() => setAuth({ state: 'signed-out' }));
  }, []);

  if (auth.state === 'checking') return <p className="muted boot">Loading…</p>;
  if (auth.state === 'signed-out') {
    return <LoginPage note={auth.note} onSignedIn={(me) => setAuth({ state: 'signed-in', me })} />;
  }
  return (
    <SessionContext.Provider value={sessionOf(auth.me, logout)}>
      <Layout />
    </SessionContext.Provider>
  );
}

import { createContext, useContext } from 'react';
import type { UserView } from './api/types.ts';

export interface Session {
  me: UserView;
  /** May define and run tasks (operator and above); the server checks it too. */
  canOperate: boolean;
  /** May manage the catalog, users and enrolment (org-admin and admin). */
  canAdmin: boolean;
  logout(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export function sessionOf(me: UserView, logout: () => void): Session {
  return {
    me,
    canOperate: me.role !== 'viewer',
    canAdmin: me.role === 'org-admin' || me.role === 'admin',
    logout,
  };
}

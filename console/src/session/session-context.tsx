import { createContext, useContext } from 'react';
import type { Session } from './auth-api';

export interface SessionState {
  session: Session;
  signOut(): Promise<void>;
  /** Re-reads the session from the hub (after a change to its two-factor state). */
  refresh(): Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

/** The signed-in session; only pages under the signed-in layout call it. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside a signed-in page');
  return state;
}

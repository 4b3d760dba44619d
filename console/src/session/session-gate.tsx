import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { createConsoleClient } from '../api/graphql-client';
import { currentSession, signOut, type Session } from './auth-api';
import { EnrolmentPage } from '../two-factor/enrolment-page';
import { SessionContext, type SessionState } from './session-context';
import { SignInPage } from './sign-in-page';

type Gate = { state: 'checking' } | { state: 'failed'; message: string } | { state: 'ready'; session: Session | null };

/**
 * Asks the hub for the current session once on load; shows the sign-in page until there is one,
 * then the app with a GraphQL client bound to that session's CSRF token.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const [gate, setGate] = useState<Gate>({ state: 'checking' });

  // Also after enrolment: the hub's answer has the new two-factor state, and the new session
  // object brings a new GraphQL client, whose socket reconnects (enrolment closed the old one).
  const refresh = useCallback(
    () =>
      currentSession().then(
        (session) => setGate({ state: 'ready', session }),
        (error: unknown) => setGate({ state: 'failed', message: String(error) }),
      ),
    [],
  );
  useEffect(() => void refresh(), [refresh]);

  const session = gate.state === 'ready' ? gate.session : null;
  const graphql = useMemo(
    () => (session ? createConsoleClient(session.csrfToken, () => setGate({ state: 'ready', session: null })) : null),
    [session],
  );
  useEffect(() => () => graphql?.dispose(), [graphql]);

  const endSession = useCallback(async () => {
    if (session) await signOut(session.csrfToken);
    setGate({ state: 'ready', session: null });
  }, [session]);

  const state = useMemo<SessionState | null>(
    () => (session ? { session, signOut: endSession, refresh } : null),
    [session, endSession, refresh],
  );

  if (gate.state === 'checking')
    return (
      <p className="centered" role="status">
        Checking your session…
      </p>
    );
  if (gate.state === 'failed')
    return (
      <p className="centered" role="alert">
        Could not reach the hub: {gate.message}
      </p>
    );
  if (!state || !graphql) return <SignInPage onSignedIn={(s) => setGate({ state: 'ready', session: s })} />;
  if (state.session.twoFactor.enrolmentRequired)
    return (
      <EnrolmentPage
        csrfToken={state.session.csrfToken}
        onDone={() => void refresh()}
        signOut={() => void endSession()}
      />
    );
  return (
    <SessionContext.Provider value={state}>
      <Provider value={graphql.client}>{children}</Provider>
    </SessionContext.Provider>
  );
}

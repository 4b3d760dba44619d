import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { createClient } from 'graphql-ws';
import { useEffect, useMemo } from 'react';
import { useSession } from '../../session/session-context';

/**
 * GraphiQL, bundled (no CDN) and signed in as the console user: HTTP requests carry the
 * session cookie and its CSRF token, subscriptions run over graphql-ws with the token in
 * `connection_init`, exactly as the rest of the console does.
 */
export default function GraphiQLPage() {
  const { session } = useSession();
  const socket = useMemo(() => {
    const { protocol, host } = window.location;
    return createClient({
      url: `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/graphql`,
      connectionParams: { csrfToken: session.csrfToken },
      lazy: true,
    });
  }, [session.csrfToken]);
  useEffect(() => () => void socket.dispose(), [socket]);
  const fetcher = useMemo(
    () =>
      createGraphiQLFetcher({
        url: '/graphql',
        headers: { 'X-CSRF-Token': session.csrfToken },
        wsClient: socket,
      }),
    [session.csrfToken, socket],
  );
  return (
    <div className="graphiql-frame">
      <h1 className="visually-hidden">GraphiQL</h1>
      <GraphiQL fetcher={fetcher} />
    </div>
  );
}

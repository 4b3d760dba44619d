import { useEffect, useMemo, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../../gql';
import { ORDER_STATUSES, statusLabel } from '../../format';

const WINDOW_DAYS = 30;

const TodayCounts = graphql(`
  query TodayCounts($from: DateTimeISO!, $to: DateTimeISO!) {
    orderStats(from: $from, to: $to) {
      countsByStatus {
        status
        count
      }
    }
  }
`);

const StatusChanges = graphql(`
  subscription TodayStatusChanges {
    orderStatusChanged {
      eventId
      orderId
      number
      from
      to
      at
    }
  }
`);

/** The counted window: orders placed in the last 30 days (and any placed until tomorrow). */
function countedWindow() {
  const day = 86_400_000;
  const now = Date.now();
  return { from: new Date(now - WINDOW_DAYS * day).toISOString(), to: new Date(now + day).toISOString() };
}

/**
 * Today: how many orders are in each status, moving live. The counts come from `orderStats`;
 * every status change on the socket moves one order from its old count to its new one at once,
 * and the counts are re-read shortly after (an order placed meanwhile appears that way).
 */
export function TodayPage() {
  const variables = useMemo(countedWindow, []);
  const [counts, refetch] = useQuery({ query: TodayCounts, variables });
  const [moved, setMoved] = useState<Record<string, number>>({});
  const [lastChange, setLastChange] = useState<string | null>(null);
  const [live] = useSubscription({ query: StatusChanges }, (_prev, data) => data);

  useEffect(() => {
    const change = live.data?.orderStatusChanged;
    if (!change) return;
    setMoved((m) => ({ ...m, [change.from]: (m[change.from] ?? 0) - 1, [change.to]: (m[change.to] ?? 0) + 1 }));
    setLastChange(`${change.number}: ${statusLabel(change.from)} → ${statusLabel(change.to)}`);
    const timer = setTimeout(() => refetch({ requestPolicy: 'network-only' }), 1_000);
    return () => clearTimeout(timer);
  }, [live.data, refetch]);

  // A fresh read includes every change so far: the local moves start again from zero.
  useEffect(() => setMoved({}), [counts.data]);

  const byStatus = new Map(counts.data?.orderStats.countsByStatus.map((c) => [c.status, c.count]));
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Today</h1>
      <h2 id="counts-title">Orders by status</h2>
      <p className="hint">Orders placed in the last {WINDOW_DAYS} days; counts move as orders change.</p>
      {counts.error && (
        <p role="alert" className="error">
          {counts.error.message}
        </p>
      )}
      {counts.data && (
        <ul className="status-counts" aria-labelledby="counts-title">
          {ORDER_STATUSES.map((status) => (
            <li key={status} data-status={status}>
              <span className="count">{Math.max(0, (byStatus.get(status) ?? 0) + (moved[status] ?? 0))}</span>
              <span className="label">{statusLabel(status)}</span>
            </li>
          ))}
        </ul>
      )}
      <p className="live" role="status" aria-live="polite">
        {live.error ? `Live updates stopped: ${live.error.message}` : lastChange ? `Latest: ${lastChange}` : 'Live'}
      </p>
    </section>
  );
}

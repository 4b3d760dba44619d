import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { ORDER_STATUSES, statusLabel } from '../../format';
import type { OrderSort, OrderStatus } from '../../gql/graphql';
import { OrdersPageQuery } from './orders-query';
import { OrdersTable } from './orders-table';

const PAGE_SIZE = 50;
const SORTS: { value: OrderSort; label: string }[] = [
  { value: 'CREATED_AT_DESC', label: 'Newest first' },
  { value: 'CREATED_AT_ASC', label: 'Oldest first' },
  { value: 'UPDATED_AT_DESC', label: 'Recently updated' },
  { value: 'TOTAL_DESC', label: 'Largest total' },
];

/** Typing settles for this long before the search is sent. */
function useSettled(value: string, ms = 300): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The orders list: search, status and channel filters and the sort live in the URL (a view can
 * be bookmarked or shared); pages are walked with the server's keyset cursors, 50 rows each.
 */
export function OrdersPage() {
  const [params, setParams] = useSearchParams();
  const [typed, setTyped] = useState(params.get('q') ?? '');
  const search = useSettled(typed.trim());
  const status = params.get('status') ?? '';
  const channel = params.get('channel') ?? '';
  const sort = (SORTS.find((s) => s.value === params.get('sort'))?.value ?? 'CREATED_AT_DESC') as OrderSort;
  // Cursors of the pages walked so far: the last one is where the current page starts.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);

  const setParam = (name: string, value: string) =>
    setParams(
      (p) => {
        if (value) p.set(name, value);
        else p.delete(name);
        return p;
      },
      { replace: true },
    );

  useEffect(() => {
    if (search !== (params.get('q') ?? '')) setParam('q', search);
    // Only a settled search changes the URL (not every keystroke).
  }, [search]);

  const filterKey = `${search}|${status}|${channel}|${sort}`;
  useEffect(() => setCursors([null]), [filterKey]);

  const variables = useMemo(
    () => ({
      first: PAGE_SIZE,
      after: cursors[cursors.length - 1] ?? null,
      orderBy: sort,
      filter: {
        ...(search ? { search } : {}),
        ...(status ? { statuses: [status as OrderStatus] } : {}),
        ...(channel ? { channelId: channel } : {}),
      },
    }),
    [cursors, sort, search, status, channel],
  );
  const [result] = useQuery({ query: OrdersPageQuery, variables });
  const orders = result.data?.orders;
  const page = cursors.length;

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Orders</h1>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder="Number, email, name, external id"
            maxLength={200}
          />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setParam('status', e.target.value)}>
            <option value="">Any status</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Channel
          <select value={channel} onChange={(e) => setParam('channel', e.target.value)}>
            <option value="">Every channel</option>
            {result.data?.channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort
          <select value={sort} onChange={(e) => setParam('sort', e.target.value)}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      {result.error && (
        <p role="alert" className="error">
          {result.error.message}
        </p>
      )}
      <p role="status" className="hint">
        {result.fetching && !orders ? 'Loading orders…' : orders ? `${orders.totalCount} orders · page ${page}` : ''}
      </p>
      {orders && <OrdersTable rows={orders.edges.map((e) => e.node)} caption={`Orders, page ${page}`} />}
      {orders && orders.edges.length === 0 && <p>No orders match.</p>}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={page === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!orders?.pageInfo.hasNextPage}
          onClick={() => setCursors((c) => [...c, orders?.pageInfo.endCursor ?? null])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}

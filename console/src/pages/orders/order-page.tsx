import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { formatDateTime, formatMoney, statusLabel } from '../../format';
import { graphql } from '../../gql';

const OrderDetail = graphql(`
  query OrderDetail($id: ID!) {
    order(id: $id) {
      id
      number
      channelId
      externalId
      status
      holdReason
      email
      placedAt
      customer {
        name
      }
      lines {
        id
        sku
        title
        quantity
        quantityAllocated
        quantityShipped
        quantityCancelled
        unitPrice {
          amount
          currency
        }
        lineTotal {
          amount
          currency
        }
      }
      totals {
        subtotal {
          amount
          currency
        }
        shipping {
          amount
          currency
        }
        tax {
          amount
          currency
        }
        discount {
          amount
          currency
        }
        total {
          amount
          currency
        }
      }
      events {
        id
        type
        fromStatus
        toStatus
        reason
        actorKind
        actorId
        createdAt
      }
    }
  }
`);

/** One order: status, lines, totals and its timeline (actions arrive with the next screens). */
export function OrderPage() {
  const { id = '' } = useParams();
  const [result] = useQuery({ query: OrderDetail, variables: { id } });
  const order = result.data?.order;

  if (result.error)
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">Order</h1>
        <p role="alert" className="error">
          {result.error.message}
        </p>
        <Link to="/orders">Back to orders</Link>
      </section>
    );
  if (!order) return <p role="status">Loading the order…</p>;

  const t = order.totals;
  return (
    <article aria-labelledby="page-title" className="order">
      <p>
        <Link to="/orders">← Orders</Link>
      </p>
      <h1 id="page-title">Order {order.number}</h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`status status-${order.status.toLowerCase()}`}>{statusLabel(order.status)}</span>
          {order.holdReason && ` (${order.holdReason})`}
        </dd>
        <dt>Channel</dt>
        <dd>
          {order.channelId} · {order.externalId}
        </dd>
        <dt>Customer</dt>
        <dd>{[order.customer?.name, order.email].filter(Boolean).join(' · ') || '—'}</dd>
        <dt>Placed</dt>
        <dd>{formatDateTime(order.placedAt)}</dd>
      </dl>

      <h2 id="lines-title">Lines</h2>
      <table className="data" aria-labelledby="lines-title">
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Title</th>
            <th scope="col" className="numeric">
              Quantity
            </th>
            <th scope="col" className="numeric">
              Shipped
            </th>
            <th scope="col" className="numeric">
              Cancelled
            </th>
            <th scope="col" className="numeric">
              Unit price
            </th>
            <th scope="col" className="numeric">
              Line total
            </th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.id}>
              <td>{line.sku}</td>
              <td>{line.title}</td>
              <td className="numeric">{line.quantity}</td>
              <td className="numeric">{line.quantityShipped}</td>
              <td className="numeric">{line.quantityCancelled}</td>
              <td className="numeric">{formatMoney(line.unitPrice)}</td>
              <td className="numeric">{formatMoney(line.lineTotal)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Totals</h2>
      <dl className="facts totals">
        <dt>Subtotal</dt>
        <dd>{formatMoney(t.subtotal)}</dd>
        <dt>Shipping</dt>
        <dd>{formatMoney(t.shipping)}</dd>
        <dt>Tax</dt>
        <dd>{formatMoney(t.tax)}</dd>
        <dt>Discount</dt>
        <dd>−{formatMoney(t.discount)}</dd>
        <dt>Total</dt>
        <dd>
          <strong>{formatMoney(t.total)}</strong>
        </dd>
      </dl>

      <h2>Timeline</h2>
      <ol className="timeline">
        {order.events.map((event) => (
          <li key={event.id}>
            <time dateTime={event.createdAt}>{formatDateTime(event.createdAt)}</time>{' '}
            <strong>{event.type.replaceAll('_', ' ')}</strong>
            {event.fromStatus && event.toStatus && ` ${statusLabel(event.fromStatus)} → ${statusLabel(event.toStatus)}`}
            {event.reason && <span className="reason"> — {event.reason}</span>}{' '}
            <span className="actor">
              by {event.actorKind} {event.actorId}
            </span>
          </li>
        ))}
      </ol>
    </article>
  );
}

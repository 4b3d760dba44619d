import type { PaymentProvider, PaymentReversalRequest } from '../../src/domain/payments/payment-provider.js';
import { manualPaymentProvider } from '../../src/domain/payments/payment-provider.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { createOrm } from '../../src/platform/database.js';
import { sql } from './database.js';

export interface PaymentCall {
  op: 'authorize' | 'void' | 'refund';
  orderId: string;
  amount: number;
  idempotencyKey: string;
  reference?: string;
}

/** The manual provider, recording every call so tests can see what the port was asked to do. */
export function recordingPayments(): PaymentProvider & { calls: PaymentCall[] } {
  const calls: PaymentCall[] = [];
  const reversal = (op: 'void' | 'refund') => async (r: PaymentReversalRequest) => {
    calls.push({ op, orderId: r.orderId, amount: r.amount, idempotencyKey: r.idempotencyKey, reference: r.reference });
    return manualPaymentProvider[op](r);
  };
  return {
    id: 'manual',
    calls,
    async authorize(r) {
      calls.push({ op: 'authorize', orderId: r.orderId, amount: r.amount, idempotencyKey: r.idempotencyKey });
      return manualPaymentProvider.authorize(r);
    },
    void: reversal('void'),
    refund: reversal('refund'),
  };
}

/**
 * Everything an order change may write, read with plain SQL: the order row, its lines, their
 * reservations, shipments, returns, timeline, the stock of its variants, ledger and outbox counts.
 * Equal before and after a refused change means nothing was half-written.
 */
export async function orderState(url: string, orderId: string): Promise<Record<string, unknown>> {
  const q = (text: string) => sql(url, text, [orderId]);
  return {
    order: await q('select * from "order" where id = $1'),
    lines: await q('select * from order_line where order_id = $1 order by position'),
    reservations: await q(
      'select r.* from reservation r join order_line l on l.id = r.order_line_id where l.order_id = $1 order by r.id',
    ),
    shipments: await q('select * from shipment where order_id = $1 order by id'),
    shipmentLines: await q(
      'select sl.* from shipment_line sl join shipment s on s.id = sl.shipment_id where s.order_id = $1 order by sl.id',
    ),
    returns: await q('select * from return_request where order_id = $1 order by id'),
    returnLines: await q(
      'select rl.* from return_line rl join return_request r on r.id = rl.return_id where r.order_id = $1 order by rl.id',
    ),
    events: await q('select count(*)::int as n from order_event where order_id = $1'),
    stock: await q(
      'select s.* from stock_level s where s.variant_id in (select variant_id from order_line where order_id = $1) order by variant_id, location_id',
    ),
    movements: await sql(url, 'select count(*)::int as n from stock_movement'),
    outbox: await sql(url, 'select count(*)::int as n from outbox_event'),
  };
}

export async function stockOf(
  url: string,
  sku: string,
  locationId: string,
): Promise<{ onHand: number; reserved: number }> {
  const rows = await sql<{ on_hand: number; reserved: number }>(
    url,
    'select s.on_hand, s.reserved from stock_level s join variant v on v.id = s.variant_id where v.sku = $1 and s.location_id = $2',
    [sku, locationId],
  );
  return { onHand: rows[0]?.on_hand ?? 0, reserved: rows[0]?.reserved ?? 0 };
}

export async function timelineOf(
  url: string,
  orderId: string,
): Promise<
  {
    type: string;
    from_status: string | null;
    to_status: string | null;
    reason: string | null;
    data: Record<string, unknown> | null;
  }[]
> {
  return sql(
    url,
    'select type, from_status, to_status, reason, data from order_event where order_id = $1 order by id',
    [orderId],
  );
}

export async function reservationsOf(
  url: string,
  lineId: string,
): Promise<{ status: string; quantity: number; location_id: string }[]> {
  return sql(
    url,
    'select status, quantity, location_id from reservation where order_line_id = $1 order by status, location_id',
    [lineId],
  );
}

/** The database invariants (stock, reservations, ledger, …) that do not hold at `url`; [] when all do. */
export async function invariantViolationsAt(url: string): Promise<Awaited<ReturnType<typeof checkInvariants>>> {
  const orm = await createOrm({ kind: 'postgres', url, poolMax: 1 });
  try {
    return await checkInvariants(orm.em.fork());
  } finally {
    await orm.close(true);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Fulfilment and post-sale: shipments (one location each) with their lines, and returns (RMA)
 * with theirs. What must hold whatever the code does is checked here: positive quantities, a
 * shipped or delivered shipment carries its carrier, tracking number and time, received ≤
 * returned, one line per order line per shipment or return.
 */
export class Migration20261127020000_fulfilment extends Migration {
  override up(): void {
    this.addSql(`
      create table shipment (
        id uuid primary key,
        order_id uuid not null references "order" (id),
        location_id uuid not null references location (id),
        status varchar(12) not null check (status in ('created', 'shipped', 'delivered', 'cancelled')),
        carrier varchar(64) null,
        service varchar(64) null,
        tracking_number varchar(100) null,
        tracking_url varchar(500) null,
        shipped_at timestamptz null,
        delivered_at timestamptz null,
        cancelled_at timestamptz null,
        created_at timestamptz not null default now(),
        check (status not in ('shipped', 'delivered') or (carrier is not null and tracking_number is not null and shipped_at is not null)),
        check (status <> 'delivered' or delivered_at is not null)
      );`);
    this.addSql('create index shipment_order_idx on shipment (order_id);');
    this.addSql(`
      create table shipment_line (
        id uuid primary key,
        shipment_id uuid not null references shipment (id),
        order_line_id uuid not null references order_line (id),
        quantity integer not null check (quantity > 0),
        unique (shipment_id, order_line_id)
      );`);
    this.addSql('create index shipment_line_order_line_idx on shipment_line (order_line_id);');
    this.addSql(`
      create table return_request (
        id uuid primary key,
        order_id uuid not null references "order" (id),
        status varchar(12) not null check (status in ('requested', 'approved', 'rejected', 'received', 'refunded')),
        reason varchar(500) null,
        decision_note varchar(500) null,
        refund_amount bigint not null check (refund_amount >= 0),
        refunded_amount bigint null check (refunded_amount >= 0),
        currency char(3) not null,
        refund_reference varchar(128) null,
        created_at timestamptz not null default now(),
        decided_at timestamptz null,
        received_at timestamptz null,
        refunded_at timestamptz null,
        check (status <> 'refunded' or (refunded_amount is not null and refunded_at is not null))
      );`);
    this.addSql('create index return_request_order_idx on return_request (order_id);');
    this.addSql(`
      create table return_line (
        id uuid primary key,
        return_id uuid not null references return_request (id),
        order_line_id uuid not null references order_line (id),
        quantity integer not null check (quantity > 0),
        reason varchar(500) null,
        restock boolean null,
        received_quantity integer null check (received_quantity between 0 and quantity),
        unique (return_id, order_line_id)
      );`);
    this.addSql('create index return_line_order_line_idx on return_line (order_line_id);');
  }

  override down(): void {
    for (const t of ['return_line', 'return_request', 'shipment_line', 'shipment'])
      this.addSql(`drop table if exists ${t};`);
  }
}

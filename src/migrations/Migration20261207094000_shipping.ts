import { Migration } from '@mikro-orm/migrations';

/**
 * Shipping through a carrier (docs/SHIPPING.md): parcel dimensions on variants, labels bought for
 * shipments (at most one that is not voided per shipment; our idempotency key stored before the
 * carrier is called), the tracking events carriers report, and the rate-shopping rule of a
 * channel or location.
 */
export class Migration20261207094000_shipping extends Migration {
  override up(): void {
    // Millimetres, like grams for weight: whole numbers, no unit conversions in the database.
    this.addSql(`
      alter table variant
        add column if not exists length_mm integer null check (length_mm > 0),
        add column if not exists width_mm integer null check (width_mm > 0),
        add column if not exists height_mm integer null check (height_mm > 0);`);
    this.addSql(`
      create table shipping_label (
        id uuid primary key,
        shipment_id uuid not null references shipment (id),
        provider varchar(32) not null,
        idempotency_key varchar(100) not null unique,
        status varchar(12) not null check (status in ('pending', 'purchased', 'failed', 'voiding', 'voided')),
        rule varchar(40) not null,
        provider_shipment_id varchar(64) null,
        rates jsonb not null default '[]',
        rate_id varchar(64) null,
        chosen_because varchar(1000) null,
        carrier varchar(64) null,
        service varchar(64) null,
        cost_amount bigint null check (cost_amount >= 0),
        currency char(3) null check (currency ~ '^[A-Z]{3}$'),
        tracking_code varchar(100) null,
        tracking_url varchar(500) null,
        label_url varchar(1000) null,
        tracker_id varchar(64) null,
        tracking_status varchar(32) null,
        tracking_updated_at timestamptz null,
        last_error varchar(1000) null,
        requested_at timestamptz not null default now(),
        purchased_at timestamptz null,
        voided_at timestamptz null,
        updated_at timestamptz not null default now(),
        check (status <> 'purchased' or (tracking_code is not null and label_url is not null
          and cost_amount is not null and currency is not null and purchased_at is not null)),
        check (status <> 'voided' or voided_at is not null)
      );`);
    // One live label per shipment: a second request finds the first; a voided one makes room.
    this.addSql(
      "create unique index shipping_label_live_idx on shipping_label (shipment_id) where status <> 'voided';",
    );
    this.addSql('create index shipping_label_shipment_idx on shipping_label (shipment_id);');
    this.addSql(
      'create index shipping_label_tracking_idx on shipping_label (tracking_code) where tracking_code is not null;',
    );
    this.addSql('create index shipping_label_tracker_idx on shipping_label (tracker_id) where tracker_id is not null;');
    // The sweeper's lookup: labels whose job may have been lost with Redis.
    this.addSql(
      "create index shipping_label_open_idx on shipping_label (updated_at) where status in ('pending', 'voiding');",
    );
    this.addSql(`
      create table shipment_tracking_event (
        id bigserial primary key,
        shipment_id uuid not null references shipment (id),
        label_id uuid not null references shipping_label (id),
        status varchar(32) not null,
        status_detail varchar(64) null,
        message varchar(500) null,
        occurred_at timestamptz not null,
        city varchar(100) null,
        region varchar(100) null,
        postal_code varchar(20) null,
        country_code varchar(2) null,
        recorded_at timestamptz not null default now()
      );`);
    // A carrier repeats its whole history in every update: each scan is stored once.
    this.addSql(
      "create unique index shipment_tracking_event_scan_idx on shipment_tracking_event (label_id, occurred_at, status, coalesce(message, ''));",
    );
    this.addSql('create index shipment_tracking_event_shipment_idx on shipment_tracking_event (shipment_id);');
    this.addSql(`
      create table shipping_rule (
        scope varchar(10) not null check (scope in ('channel', 'location')),
        scope_id varchar(64) not null,
        rule varchar(40) not null,
        updated_at timestamptz not null default now(),
        primary key (scope, scope_id)
      );`);
  }

  override down(): void {
    this.addSql('drop table if exists shipping_rule;');
    this.addSql('drop table if exists shipment_tracking_event;');
    this.addSql('drop table if exists shipping_label;');
    this.addSql(
      'alter table variant drop column if exists length_mm, drop column if exists width_mm, drop column if exists height_mm;',
    );
  }
}

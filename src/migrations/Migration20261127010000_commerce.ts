import { Migration } from '@mikro-orm/migrations';

/**
 * Catalog, channels, customers, inventory (levels, ledger, reservations), orders with their
 * timeline, and the outbox. Integrity that must hold under concurrency is enforced here, in
 * the database: 0 ≤ reserved ≤ on_hand, unique (channel, external id), unique SKU.
 */
export class Migration20261127010000_commerce extends Migration {
  override up(): void {
    this.addSql(`
      create table channel (
        id varchar(64) primary key check (id ~ '^[A-Za-z0-9_-]{1,64}$'),
        kind varchar(16) not null check (kind in ('shopify', 'amazon', 'ebay', 'direct')),
        name varchar(200) not null,
        enabled boolean not null default true,
        stock_buffer integer not null default 0 check (stock_buffer >= 0),
        backorder_policy varchar(16) not null default 'backorder' check (backorder_policy in ('backorder', 'reject', 'partial')),
        created_at timestamptz not null default now()
      );`);
    this.addSql(`insert into channel (id, kind, name) values ('direct', 'direct', 'Direct (GraphQL API)');`);

    this.addSql(`
      create table product (
        id uuid primary key,
        title varchar(300) not null,
        description text null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql(`
      create table variant (
        id uuid primary key,
        product_id uuid not null references product (id),
        sku varchar(100) not null unique,
        title varchar(300) not null,
        price_amount bigint not null check (price_amount >= 0),
        currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
        weight_grams integer null check (weight_grams >= 0),
        barcode varchar(64) null,
        requires_shipping boolean not null default true,
        created_at timestamptz not null default now()
      );`);
    this.addSql('create index variant_product_idx on variant (product_id);');

    this.addSql(`
      create table customer (
        id uuid primary key,
        email varchar(320) null,
        name varchar(200) null,
        phone varchar(40) null,
        addresses jsonb not null default '[]',
        created_at timestamptz not null default now(),
        erased_at timestamptz null
      );`);
    this.addSql('create unique index customer_email_idx on customer (lower(email)) where email is not null;');

    this.addSql(`
      create table location (
        id uuid primary key,
        code varchar(32) not null unique,
        name varchar(200) not null,
        address jsonb not null,
        latitude double precision null check (latitude between -90 and 90),
        longitude double precision null check (longitude between -180 and 180),
        priority integer not null default 100,
        active boolean not null default true,
        fulfils_online boolean not null default true,
        channel_ids text[] not null default '{}',
        created_at timestamptz not null default now()
      );`);
    this.addSql(`
      create table stock_level (
        variant_id uuid not null references variant (id),
        location_id uuid not null references location (id),
        on_hand integer not null default 0,
        reserved integer not null default 0,
        safety_stock integer not null default 0 check (safety_stock >= 0),
        reorder_point integer not null default 0 check (reorder_point >= 0),
        updated_at timestamptz not null default now(),
        primary key (variant_id, location_id),
        check (reserved >= 0),
        check (reserved <= on_hand),
        check (on_hand >= 0)
      );`);
    this.addSql(`
      create table stock_movement (
        id bigserial primary key,
        variant_id uuid not null,
        location_id uuid not null,
        kind varchar(16) not null
          check (kind in ('received', 'adjusted', 'reserved', 'released', 'shipped', 'returned', 'transfer_out', 'transfer_in')),
        on_hand_delta integer not null,
        reserved_delta integer not null,
        reason varchar(500) null,
        order_id uuid null,
        actor varchar(64) not null,
        created_at timestamptz not null default now(),
        foreign key (variant_id, location_id) references stock_level (variant_id, location_id)
      );`);
    this.addSql('create index stock_movement_level_idx on stock_movement (variant_id, location_id, id);');

    this.addSql('create sequence order_number_seq start 10001;');
    this.addSql(`
      create table "order" (
        id uuid primary key,
        number varchar(64) not null,
        channel_id varchar(64) not null references channel (id),
        external_id varchar(128) not null,
        status varchar(24) not null,
        source varchar(16) not null check (source in ('web', 'phone', 'in_store', 'b2b', 'marketplace')),
        purchase_order_number varchar(64) null,
        payment_terms varchar(32) null,
        customer_id uuid null references customer (id),
        email varchar(320) null,
        shipping_address jsonb null,
        currency char(3) not null,
        subtotal_amount bigint not null,
        shipping_amount bigint not null default 0,
        tax_amount bigint not null default 0,
        discount_amount bigint not null default 0,
        total_amount bigint not null,
        hold_reason varchar(500) null,
        idempotency_key varchar(128) null,
        version integer not null default 1,
        placed_at timestamptz not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (channel_id, external_id),
        check (total_amount = subtotal_amount + shipping_amount + tax_amount - discount_amount)
      );`);
    this.addSql(
      'create unique index order_idempotency_idx on "order" (idempotency_key) where idempotency_key is not null;',
    );
    this.addSql('create unique index order_number_idx on "order" (channel_id, number);');
    this.addSql('create index order_status_created_idx on "order" (status, created_at desc, id desc);');
    this.addSql('create index order_created_idx on "order" (created_at desc, id desc);');
    this.addSql('create index order_customer_idx on "order" (customer_id);');
    this.addSql(`
      create table order_line (
        id uuid primary key,
        order_id uuid not null references "order" (id),
        position integer not null,
        variant_id uuid not null references variant (id),
        sku varchar(100) not null,
        title varchar(300) not null,
        quantity integer not null check (quantity > 0),
        unit_price_amount bigint not null check (unit_price_amount >= 0),
        line_total_amount bigint not null,
        quantity_allocated integer not null default 0,
        quantity_shipped integer not null default 0,
        quantity_cancelled integer not null default 0,
        unique (order_id, position)
      );`);
    this.addSql(`
      create table reservation (
        id uuid primary key,
        order_line_id uuid not null references order_line (id),
        variant_id uuid not null,
        location_id uuid not null,
        quantity integer not null check (quantity > 0),
        status varchar(12) not null check (status in ('active', 'released', 'consumed')),
        created_at timestamptz not null default now(),
        foreign key (variant_id, location_id) references stock_level (variant_id, location_id)
      );`);
    this.addSql('create index reservation_line_idx on reservation (order_line_id);');
    this.addSql(
      "create index reservation_active_idx on reservation (variant_id, location_id) where status = 'active';",
    );
    this.addSql(`
      create table order_event (
        id bigserial primary key,
        order_id uuid not null references "order" (id),
        type varchar(32) not null,
        from_status varchar(24) null,
        to_status varchar(24) null,
        actor_kind varchar(16) not null,
        actor_id varchar(64) not null,
        reason varchar(1000) null,
        data jsonb null,
        created_at timestamptz not null default now()
      );`);
    this.addSql('create index order_event_order_idx on order_event (order_id, id);');
    this.addSql(`
      create table outbox_event (
        id bigserial primary key,
        topic varchar(64) not null,
        aggregate_id varchar(64) not null,
        payload jsonb not null,
        created_at timestamptz not null default now(),
        published_at timestamptz null
      );`);
    this.addSql('create index outbox_unpublished_idx on outbox_event (id) where published_at is null;');
  }

  override down(): void {
    for (const t of [
      'outbox_event',
      'order_event',
      'reservation',
      'order_line',
      '"order"',
      'stock_movement',
      'stock_level',
      'location',
      'customer',
      'variant',
      'product',
      'channel',
    ]) {
      this.addSql(`drop table if exists ${t};`);
    }
    this.addSql('drop sequence if exists order_number_seq;');
  }
}

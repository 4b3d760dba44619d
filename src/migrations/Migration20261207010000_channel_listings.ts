import { Migration } from '@mikro-orm/migrations';

/**
 * SKU ↔ platform ids per channel. Sync fills rows by matching SKUs (`mapped_by = 'auto'`); an
 * admin may set one by hand when the platform's SKU differs (`'manual'`, never overwritten by
 * sync). One platform variant maps to at most one SKU per channel, so an order line that names
 * only the variant resolves to exactly one SKU. The last pushed quantity lets the stock push
 * send `changeFromQuantity` and skip values the platform already holds.
 */
export class Migration20261207010000_channel_listings extends Migration {
  override up(): void {
    this.addSql(`
      create table channel_listing (
        channel_id varchar(64) not null references channel (id),
        sku varchar(100) not null,
        external_variant_id varchar(255) not null,
        external_inventory_item_id varchar(255) null,
        external_location_id varchar(255) null,
        mapped_by varchar(8) not null check (mapped_by in ('auto', 'manual')),
        last_pushed_quantity integer null,
        last_pushed_at timestamptz null,
        updated_at timestamptz not null default now(),
        primary key (channel_id, sku)
      );`);
    this.addSql(
      'create unique index channel_listing_variant_idx on channel_listing (channel_id, external_variant_id);',
    );
  }

  override down(): void {
    this.addSql('drop table if exists channel_listing;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * `order.held_from_status`: the status an order was put ON_HOLD from, so releasing the hold
 * returns it there (an ALLOCATED order keeps its reservations and payment while held). Null for
 * an order not on hold, and for holds older than this column (released as placement would).
 * The second index serves backorder allocation, which keeps serving a held BACKORDERED order in
 * its place in line.
 */
export class Migration20261206010000_order_held_from extends Migration {
  override up(): void {
    this.addSql('alter table "order" add column held_from_status varchar(24) null;');
    this.addSql(
      `create index order_held_backordered_idx on "order" (placed_at, id) where status = 'ON_HOLD' and held_from_status = 'BACKORDERED';`,
    );
  }

  override down(): void {
    this.addSql('drop index if exists order_held_backordered_idx;');
    this.addSql('alter table "order" drop column if exists held_from_status;');
  }
}

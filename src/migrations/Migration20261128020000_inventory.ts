import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for handing arriving stock to backorders: every receipt, transfer in or return looks
 * up the waiting orders of one variant, oldest first. Both indexes are partial, so they hold
 * only open lines and backordered orders and stay small however many orders are shipped.
 */
export class Migration20261128020000_inventory extends Migration {
  override up(): void {
    this.addSql(
      'create index order_line_open_variant_idx on order_line (variant_id, order_id) where quantity > quantity_allocated + quantity_cancelled;',
    );
    this.addSql(`create index order_backordered_idx on "order" (placed_at, id) where status = 'BACKORDERED';`);
  }

  override down(): void {
    this.addSql('drop index if exists order_backordered_idx;');
    this.addSql('drop index if exists order_line_open_variant_idx;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the read API's keyset pages: every `orders` sort (and a channel-scoped key's
 * default listing) and the customer and product lists walk an index instead of sorting the
 * table. Text search (ILIKE "contains") still scans; trigram indexes can come when it matters.
 */
export class Migration20261128010000_order_queries extends Migration {
  override up(): void {
    this.addSql('create index order_updated_idx on "order" (updated_at desc, id desc);');
    this.addSql('create index order_total_idx on "order" (total_amount desc, id desc);');
    this.addSql('create index order_channel_created_idx on "order" (channel_id, created_at desc, id desc);');
    this.addSql('create index customer_created_idx on customer (created_at desc, id desc);');
    this.addSql('create index product_created_idx on product (created_at desc, id desc);');
  }

  override down(): void {
    for (const index of [
      'product_created_idx',
      'customer_created_idx',
      'order_channel_created_idx',
      'order_total_idx',
      'order_updated_idx',
    ]) {
      this.addSql(`drop index if exists ${index};`);
    }
  }
}

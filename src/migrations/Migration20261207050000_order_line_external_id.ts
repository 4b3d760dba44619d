import { Migration } from '@mikro-orm/migrations';

/**
 * The platform's id of each line of a channel order (Shopify's `LineItem` GID), kept by
 * ingestion: the fulfilment push names the lines it fulfils by it. Null for direct orders.
 */
export class Migration20261207050000_order_line_external_id extends Migration {
  override up(): void {
    this.addSql('alter table order_line add column external_line_id varchar(255) null;');
  }

  override down(): void {
    this.addSql('alter table order_line drop column if exists external_line_id;');
  }
}

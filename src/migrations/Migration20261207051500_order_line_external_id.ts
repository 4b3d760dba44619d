import { Migration } from '@mikro-orm/migrations';

/**
 * The platform's id of each line of a channel order (Shopify: the LineItem GID), which the
 * fulfilment push names when it ships lines on the platform. Null for the hub's own orders.
 */
export class Migration20261207051500_order_line_external_id extends Migration {
  override up(): void {
    this.addSql('alter table order_line add column if not exists external_line_id varchar(255) null;');
  }

  override down(): void {
    this.addSql('alter table order_line drop column if exists external_line_id;');
  }
}

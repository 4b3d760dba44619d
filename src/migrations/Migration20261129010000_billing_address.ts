import { Migration } from '@mikro-orm/migrations';

/** An order's optional billing address, which hold rules compare with the shipping address. */
export class Migration20261129010000_billing_address extends Migration {
  override up(): void {
    this.addSql('alter table "order" add column billing_address jsonb null;');
  }

  override down(): void {
    this.addSql('alter table "order" drop column if exists billing_address;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * A listing remembers the platform's refusal of its last stock push (Amazon's feed processing
 * report, eBay's 207 per SKU), so the merchant sees on the SKU why the channel's figure is not
 * ours; the next accepted push clears it.
 */
export class Migration20261207125000_listing_push_error extends Migration {
  override up(): void {
    this.addSql(`
      alter table channel_listing
        add column push_error varchar(1000) null,
        add column push_error_at timestamptz null;`);
  }

  override down(): void {
    this.addSql('alter table channel_listing drop column push_error, drop column push_error_at;');
  }
}

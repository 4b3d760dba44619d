import { Migration } from '@mikro-orm/migrations';

/**
 * The platform account that placed a marketplace order (eBay: the buyer's username), so a
 * platform's account-deletion notice can find that buyer's orders on the channel. Personal data:
 * erasure blanks it with the order's other personal fields.
 */
export class Migration20261207120000_order_channel_buyer extends Migration {
  override up(): void {
    this.addSql('alter table "order" add column if not exists channel_buyer varchar(128) null;');
    this.addSql(
      'create index if not exists order_channel_buyer_idx on "order" (channel_id, channel_buyer) where channel_buyer is not null;',
    );
  }

  override down(): void {
    this.addSql('drop index if exists order_channel_buyer_idx;');
    this.addSql('alter table "order" drop column if exists channel_buyer;');
  }
}

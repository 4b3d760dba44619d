import { Migration } from '@mikro-orm/migrations';

/**
 * Stripe's and EasyPost's webhooks share the channels' inbox: their rows carry
 * `channel_id = 'provider:<name>'`, which names no channel, so the foreign key to `channel` goes.
 * Nothing is lost by it: the acceptor stores a channel's delivery only after it read the channel's
 * row, and channels are never deleted (disconnecting keeps the row). A check keeps the column to
 * the two shapes the inbox writes.
 */
export class Migration20261207097000_provider_inbox extends Migration {
  override up(): void {
    this.addSql('alter table webhook_delivery drop constraint if exists webhook_delivery_channel_id_fkey;');
    this.addSql(`
      alter table webhook_delivery add constraint webhook_delivery_channel_id_shape
        check (channel_id ~ '^(provider:)?[A-Za-z0-9_-]{1,64}$');
    `);
  }

  override down(): void {
    this.addSql("delete from webhook_delivery where channel_id like 'provider:%';");
    this.addSql('alter table webhook_delivery drop constraint if exists webhook_delivery_channel_id_shape;');
    this.addSql(
      'alter table webhook_delivery add constraint webhook_delivery_channel_id_fkey foreign key (channel_id) references channel (id);',
    );
  }
}

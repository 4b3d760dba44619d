import { Migration } from '@mikro-orm/migrations';

/**
 * The webhook inbox: every verified delivery, stored before it is acknowledged, with the raw
 * body (what was signed, kept for replay) and its processing outcome. `(channel_id,
 * delivery_id)` is unique, so a platform's redelivery is recognised by the insert itself.
 * `claimed_at` is the lease of the worker processing it. The indexes serve the sweeper and
 * pruning (status, received_at) and the per-channel listing and batching (channel_id, status).
 */
export class Migration20261207030000_webhook_inbox extends Migration {
  override up(): void {
    this.addSql(`
      create table webhook_delivery (
        id uuid primary key,
        channel_id varchar(64) not null references channel (id),
        delivery_id varchar(255) not null,
        topic varchar(64) not null,
        triggered_at timestamptz null,
        received_at timestamptz not null default now(),
        body text not null,
        status varchar(16) not null default 'pending'
          check (status in ('pending', 'processing', 'processed', 'failed', 'ignored')),
        attempts int not null default 0,
        claimed_at timestamptz null,
        last_error varchar(1000) null,
        processed_at timestamptz null,
        outcome varchar(1000) null,
        constraint webhook_delivery_channel_delivery_key unique (channel_id, delivery_id)
      );`);
    this.addSql('create index webhook_delivery_status_received_idx on webhook_delivery (status, received_at);');
    this.addSql(
      'create index webhook_delivery_channel_status_idx on webhook_delivery (channel_id, status, received_at);',
    );
  }

  override down(): void {
    this.addSql('drop table if exists webhook_delivery;');
  }
}

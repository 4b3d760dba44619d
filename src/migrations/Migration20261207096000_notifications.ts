import { Migration } from '@mikro-orm/migrations';

/**
 * Customer notifications: one row per (order, notification) key, written before the message is
 * sent and marked once it was, so a retried job never sends twice. And per channel, whether the
 * hub emails that channel's customers (marketplaces send their own): on for `direct` only.
 */
export class Migration20261207096000_notifications extends Migration {
  override up(): void {
    this.addSql(`
      create table if not exists notification (
        id uuid primary key,
        key varchar(200) not null,
        order_id uuid not null references "order" (id) on delete cascade,
        kind varchar(32) not null check (kind in ('confirmed', 'shipped', 'delayed', 'delivered', 'refunded')),
        recipient varchar(320) null,
        status varchar(16) not null default 'pending' check (status in ('pending', 'sent', 'skipped')),
        message_id varchar(300) null,
        attempts int not null default 0,
        last_error varchar(1000) null,
        created_at timestamptz not null default now(),
        sent_at timestamptz null,
        constraint notification_key unique (key)
      );`);
    this.addSql('create index if not exists notification_order_idx on notification (order_id, created_at);');
    this.addSql('alter table channel add column if not exists notify_customers boolean not null default false;');
    this.addSql(`update channel set notify_customers = true where kind = 'direct';`);
  }

  override down(): void {
    this.addSql('drop table if exists notification;');
    this.addSql('alter table channel drop column if exists notify_customers;');
  }
}

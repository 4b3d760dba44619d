import { Migration } from '@mikro-orm/migrations';

/**
 * What the outbound channel jobs keep between runs.
 *
 * `channel_stock_dirty` coalesces stock changes per channel × SKU: many changes of one SKU are
 * one row (upserted, `dirty_since` moved to the latest change), and the push reads the SKU's
 * CURRENT available-to-sell when it runs, so the last value wins without storing any figure.
 * A push clears only rows not dirtied again after it read the figures.
 *
 * `channel_push_record` remembers each fulfilment or cancellation pushed to a platform (by the
 * hub's own subject id), so a job rerun after a crash, or enqueued twice, pushes once.
 */
export class Migration20261207040000_channel_push_state extends Migration {
  override up(): void {
    this.addSql(`
      create table channel_stock_dirty (
        channel_id varchar(64) not null references channel (id) on delete cascade,
        sku varchar(100) not null,
        dirty_since timestamptz not null,
        primary key (channel_id, sku)
      );`);
    this.addSql('create index channel_stock_dirty_since_idx on channel_stock_dirty (channel_id, dirty_since);');
    this.addSql(`
      create table channel_push_record (
        kind varchar(16) not null check (kind in ('fulfilment', 'cancellation')),
        subject_id uuid not null,
        channel_id varchar(64) not null references channel (id),
        external_id varchar(255) null,
        pushed_at timestamptz not null default now(),
        primary key (kind, subject_id)
      );`);
  }

  override down(): void {
    this.addSql('drop table if exists channel_push_record;');
    this.addSql('drop table if exists channel_stock_dirty;');
  }
}

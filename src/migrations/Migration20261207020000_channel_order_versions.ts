import { Migration } from '@mikro-orm/migrations';

/**
 * What ingestion keeps of a channel order's platform version: `external_updated_at` (the
 * platform's updatedAt of the version held; an older or equal one changes nothing),
 * `external_name` (the platform's own order name, "#1001", for search and display) and `note`
 * (the buyer's note, updated with each newer version). All null for direct orders.
 */
export class Migration20261207020000_channel_order_versions extends Migration {
  override up(): void {
    this.addSql('alter table "order" add column external_updated_at timestamptz null;');
    this.addSql('alter table "order" add column external_name varchar(128) null;');
    this.addSql('alter table "order" add column note varchar(5000) null;');
  }

  override down(): void {
    this.addSql('alter table "order" drop column if exists note;');
    this.addSql('alter table "order" drop column if exists external_name;');
    this.addSql('alter table "order" drop column if exists external_updated_at;');
  }
}

import { Migration } from '@mikro-orm/migrations';

/** Remembers what an idempotency key was first used for, so a different order under it is refused. */
export class Migration20261128040000_idempotency extends Migration {
  override up(): void {
    this.addSql('alter table "order" add column idempotency_fingerprint char(64) null;');
  }

  override down(): void {
    this.addSql('alter table "order" drop column if exists idempotency_fingerprint;');
  }
}

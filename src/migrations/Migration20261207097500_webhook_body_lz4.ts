import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook bodies (Shopify's orders run 5–20 kB) are TOASTed as they are stored, on the ack's
 * path: lz4 compresses them several times faster than the default pglz at a similar size, and
 * the inbox writes one per delivery. Rows written before keep pglz; both read the same. A server
 * built without lz4 (PGlite, the zero-setup default) keeps pglz.
 */
export class Migration20261207097500_webhook_body_lz4 extends Migration {
  override up(): void {
    this.addSql(`
      do $$ begin
        alter table webhook_delivery alter column body set compression lz4;
      exception when feature_not_supported then null;
      end $$;`);
  }

  override down(): void {
    this.addSql('alter table webhook_delivery alter column body set compression pglz;');
  }
}

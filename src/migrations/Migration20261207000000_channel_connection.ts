import { Migration } from '@mikro-orm/migrations';

/**
 * What a connected channel keeps beside its kind and name: its credentials (AES-256-GCM
 * ciphertext only), an endpoint override (simulator or proxy), the pull cursor, and its health
 * (last successful sync, last error with its time). A disconnected channel keeps its row and
 * every order; `disconnected_at` says when it stopped syncing.
 */
export class Migration20261207000000_channel_connection extends Migration {
  override up(): void {
    this.addSql(`
      alter table channel
        add column credentials_ciphertext text null,
        add column endpoint varchar(500) null,
        add column sync_cursor timestamptz null,
        add column last_sync_at timestamptz null,
        add column last_error varchar(1000) null,
        add column last_error_at timestamptz null,
        add column disconnected_at timestamptz null,
        add column updated_at timestamptz not null default now();
    `);
  }

  override down(): void {
    this.addSql(`
      alter table channel
        drop column if exists credentials_ciphertext,
        drop column if exists endpoint,
        drop column if exists sync_cursor,
        drop column if exists last_sync_at,
        drop column if exists last_error,
        drop column if exists last_error_at,
        drop column if exists disconnected_at,
        drop column if exists updated_at;
    `);
  }
}

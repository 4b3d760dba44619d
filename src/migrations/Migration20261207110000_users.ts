import { Migration } from '@mikro-orm/migrations';

/**
 * Console users (the operator console's people; API keys stay for machines): email unique
 * case-insensitively (stored lower-cased), the six roles, an optional channel scope that an
 * admin may not have, and only an argon2id hash of the password.
 */
export class Migration20261207110000_users extends Migration {
  override up(): void {
    this.addSql(`
      create table app_user (
        id uuid primary key,
        email varchar(254) not null check (email = lower(email)),
        name varchar(100) not null,
        role varchar(20) not null check (role in ('admin', 'ops', 'support', 'finance', 'read_only', 'integration')),
        channel_id varchar(64) null references channel (id),
        password_hash varchar(255) not null,
        password_changed_at timestamptz not null,
        created_by varchar(64) not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        deactivated_at timestamptz null,
        deactivated_by varchar(64) null,
        constraint app_user_email_key unique (email),
        constraint app_user_admin_unscoped check (role <> 'admin' or channel_id is null)
      );`);
  }

  override down(): void {
    this.addSql('drop table if exists app_user;');
  }
}

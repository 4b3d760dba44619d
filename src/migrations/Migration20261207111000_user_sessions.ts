import { Migration } from '@mikro-orm/migrations';

/**
 * Console sign-in: per user the consecutive failed sign-ins and the lock they lead to; per
 * session only the SHA-256 of its token (the cookie holds the token), its CSRF token, and the
 * idle and absolute deadlines. Sessions go with their user.
 */
export class Migration20261207111000_user_sessions extends Migration {
  override up(): void {
    this.addSql(`
      alter table app_user
        add column failed_sign_ins int not null default 0,
        add column locked_until timestamptz null,
        add column last_sign_in_at timestamptz null;`);
    this.addSql(`
      create table user_session (
        id char(64) primary key,
        user_id uuid not null references app_user (id) on delete cascade,
        csrf_token varchar(64) not null,
        created_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        expires_at timestamptz not null,
        ip varchar(64) null,
        user_agent varchar(200) null
      );`);
    this.addSql('create index user_session_user_idx on user_session (user_id);');
  }

  override down(): void {
    this.addSql('drop table if exists user_session;');
    this.addSql(
      'alter table app_user drop column failed_sign_ins, drop column locked_until, drop column last_sign_in_at;',
    );
  }
}

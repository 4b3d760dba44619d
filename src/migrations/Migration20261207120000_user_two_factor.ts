import { Migration } from '@mikro-orm/migrations';

/**
 * Two-factor sign-in (TOTP) for console users: per user the TOTP secret, encrypted like channel
 * credentials (AES-256-GCM under the hub's encryption key, so `rotate-encryption-key` moves it
 * too), when it was turned on (null with a secret: an enrolment not yet confirmed), and the last
 * time step a code was accepted for (a code is good once). Recovery codes are kept only as
 * SHA-256 hashes, each usable once. A sign-in challenge is the pending state between a right
 * password and the second factor: only its token's SHA-256 is stored, and it expires.
 */
export class Migration20261207120000_user_two_factor extends Migration {
  override up(): void {
    this.addSql(`
      alter table app_user
        add column totp_secret_ciphertext text null,
        add column totp_enabled_at timestamptz null,
        add column totp_last_step int null,
        add constraint app_user_totp_enabled_has_secret
          check (totp_enabled_at is null or totp_secret_ciphertext is not null);`);
    this.addSql(`
      create table user_recovery_code (
        code_hash char(64) primary key,
        user_id uuid not null references app_user (id) on delete cascade,
        created_at timestamptz not null default now(),
        used_at timestamptz null
      );`);
    this.addSql('create index user_recovery_code_user_idx on user_recovery_code (user_id);');
    this.addSql(`
      create table sign_in_challenge (
        id char(64) primary key,
        user_id uuid not null references app_user (id) on delete cascade,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        ip varchar(64) null,
        user_agent varchar(200) null
      );`);
    this.addSql('create index sign_in_challenge_user_idx on sign_in_challenge (user_id);');
  }

  override down(): void {
    this.addSql('drop table if exists sign_in_challenge;');
    this.addSql('drop table if exists user_recovery_code;');
    this.addSql(`
      alter table app_user
        drop constraint app_user_totp_enabled_has_secret,
        drop column totp_secret_ciphertext,
        drop column totp_enabled_at,
        drop column totp_last_step;`);
  }
}

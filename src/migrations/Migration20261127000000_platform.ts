import { Migration } from '@mikro-orm/migrations';

/** API keys and diagnostic pings: the platform's own tables. */
export class Migration20261127000000_platform extends Migration {
  override up(): void {
    this.addSql(`
      create table api_key (
        id uuid primary key,
        name varchar(100) not null,
        prefix varchar(16) not null unique,
        hash char(64) not null unique,
        role varchar(20) not null
          check (role in ('admin', 'ops', 'support', 'finance', 'read_only', 'integration')),
        channel_id varchar(64) null,
        created_by varchar(64) not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz null,
        revoked_by varchar(64) null
      );`);
    this.addSql(`
      create table diagnostic_ping (
        id uuid primary key,
        requested_by varchar(64) not null,
        delay_ms integer not null check (delay_ms between 0 and 60000),
        status varchar(10) not null check (status in ('queued', 'running', 'done')),
        attempts integer not null default 0,
        created_at timestamptz not null default now(),
        started_at timestamptz null,
        finished_at timestamptz null
      );`);
  }

  override down(): void {
    this.addSql('drop table if exists diagnostic_ping;');
    this.addSql('drop table if exists api_key;');
  }
}

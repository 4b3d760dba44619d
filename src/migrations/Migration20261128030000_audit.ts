import { Migration } from '@mikro-orm/migrations';

/**
 * The audit log: one row per audited action (who, as which key, from where, on what). Rows hold
 * ids and counts, never personal data, so an erasure has nothing to remove here. A trigger
 * refuses UPDATE and DELETE, so the log is append-only for the application's own role too
 * (revoking the privileges as well is left to the deployment, which owns the roles).
 */
export class Migration20261128030000_audit extends Migration {
  override up(): void {
    this.addSql(`
      create table audit_log (
        id bigserial primary key,
        actor_kind varchar(16) not null,
        actor_id varchar(64) not null,
        action varchar(64) not null,
        subject_type varchar(32) not null,
        subject_id varchar(64) not null,
        ip varchar(64) null,
        data jsonb not null default '{}',
        created_at timestamptz not null default now()
      );`);
    this.addSql('create index audit_log_subject_idx on audit_log (subject_type, subject_id, id);');
    this.addSql(`
      create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only';
      end $$;`);
    this.addSql(`
      create trigger audit_log_append_only before update or delete on audit_log
        for each row execute function audit_log_append_only();`);
  }

  override down(): void {
    this.addSql('drop table if exists audit_log;');
    this.addSql('drop function if exists audit_log_append_only();');
  }
}

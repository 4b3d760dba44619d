import { Migration } from '@mikro-orm/migrations';

/**
 * `switchyard_require(ok, message)`: fails the statement it is in (SQLSTATE SYR01) unless `ok`.
 * The one-statement order placement (src/domain/orders/placement-write.ts) uses it to undo the
 * whole statement when a concurrent order took stock its plan counted on.
 */
export class Migration20261129020000_placement_guard extends Migration {
  override up(): void {
    this.addSql(`
      create or replace function switchyard_require(ok boolean, message text) returns boolean
      language plpgsql as $$
      begin
        if ok is not true then
          raise exception using errcode = 'SYR01', message = message;
        end if;
        return true;
      end $$;`);
  }

  override down(): void {
    this.addSql('drop function if exists switchyard_require(boolean, text);');
  }
}

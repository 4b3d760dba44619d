import { Migration } from '@mikro-orm/migrations';

/**
 * Card payments through a gateway (Stripe): one `payment` row per order paid that way, with the
 * amounts the gateway reported (authorised, captured, released, refunded) and the intent's own
 * status, instead of deriving the state from the timeline alone; and `payment_step`, one row per
 * call the hub makes (authorise, capture, void, refund), keyed by the idempotency key it sends
 * (`order-<id>-capture-<n>`), written in the transaction that decided the call — before the call
 * is made — and updated with its outcome. `lease_*` serialise the jobs working on one payment.
 * The checks keep the money consistent whatever a job does: nothing captured beyond what was
 * authorised, nothing refunded beyond what was captured.
 */
export class Migration20261207092000_payments extends Migration {
  override up(): void {
    this.addSql(`
      create table payment (
        id uuid primary key,
        order_id uuid not null references "order" (id) on delete cascade,
        provider varchar(32) not null,
        intent_id varchar(255) null,
        currency varchar(3) not null,
        amount bigint not null check (amount > 0),
        authorized_amount bigint not null default 0,
        captured_amount bigint not null default 0,
        voided_amount bigint not null default 0,
        refunded_amount bigint not null default 0,
        intent_status varchar(32) null,
        next_action varchar(64) null,
        capture_before timestamptz null,
        cancellation_reason varchar(64) null,
        error_code varchar(64) null,
        decline_code varchar(64) null,
        last_error varchar(1000) null,
        lease_token uuid null,
        lease_until timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint payment_order_key unique (order_id),
        constraint payment_intent_key unique (provider, intent_id),
        constraint payment_amounts_check check (
          authorized_amount >= 0 and captured_amount >= 0 and voided_amount >= 0 and refunded_amount >= 0
          and authorized_amount <= amount and captured_amount + voided_amount <= authorized_amount
          and refunded_amount <= captured_amount)
      );`);
    this.addSql(`
      create index payment_capture_before_idx on payment (capture_before)
        where intent_status = 'requires_capture';`);
    this.addSql(`
      create table payment_step (
        key varchar(255) primary key,
        order_id uuid not null references "order" (id) on delete cascade,
        seq int not null,
        kind varchar(16) not null check (kind in ('authorize', 'capture', 'void', 'refund')),
        amount bigint not null check (amount >= 0),
        final boolean not null default false,
        reason varchar(500) null,
        shipment_id uuid null,
        return_id uuid null,
        payment_method varchar(255) null,
        status varchar(16) not null default 'pending'
          check (status in ('pending', 'succeeded', 'failed', 'skipped')),
        attempts int not null default 0,
        last_error varchar(1000) null,
        result jsonb null,
        requested_at timestamptz not null default now(),
        completed_at timestamptz null,
        constraint payment_step_order_seq_key unique (order_id, seq)
      );`);
    this.addSql(`create index payment_step_pending_idx on payment_step (requested_at) where status = 'pending';`);
  }

  override down(): void {
    this.addSql('drop table if exists payment_step;');
    this.addSql('drop table if exists payment;');
  }
}

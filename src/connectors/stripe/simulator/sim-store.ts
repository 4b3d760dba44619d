import type { ChargeObject, EventObject, PaymentIntentObject, RefundObject } from './sim-objects.js';

/** Which API request caused a change (events carry it as `request`); null for Stripe's own doing. */
export interface RequestMeta {
  requestId: string;
  idempotencyKey: string | null;
}

/**
 * One committed money movement or state change, recorded once when it happens (never on an
 * idempotent replay): the simulator's own count, which tests compare with what the hub believes.
 */
export interface SimEffect {
  kind:
    | 'authorise'
    | 'decline'
    | 'requires_action'
    | 'capture'
    | 'cancel'
    | 'expire'
    | 'refund'
    | 'refund_failed'
    | 'dispute'
    | 'early_fraud_warning';
  intentId: string;
  /** Minor units moved (captured, refunded, authorised); 0 when nothing moved. */
  amount: number;
  /** Stripe's id of what was made (charge, refund, dispute), when something was. */
  objectId: string | null;
  idempotencyKey: string | null;
  /** ISO-8601 UTC, from the simulator's clock. */
  at: string;
}

/** The simulator's state: objects by id, the effect log, the clock and the event sink. */
export class SimStore {
  readonly intents = new Map<string, PaymentIntentObject>();
  readonly charges = new Map<string, ChargeObject>();
  readonly refunds = new Map<string, RefundObject>();
  /** Intents holding an uncaptured authorisation (requires_capture), checked for lapse. */
  readonly holds = new Set<string>();
  readonly events: EventObject[] = [];
  readonly effects: SimEffect[] = [];

  constructor(
    /** Milliseconds since the epoch. */
    readonly now: () => number,
    private readonly emitEvent: (
      type: string,
      object: Record<string, unknown>,
      meta: RequestMeta | null,
      previousAttributes?: Record<string, unknown>,
    ) => void,
    /** How long an uncaptured card authorisation holds (Stripe: 7 days for online card payments). */
    readonly authorisationSeconds: number,
  ) {}

  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  emit(type: string, object: object, meta: RequestMeta | null, previousAttributes?: Record<string, unknown>): void {
    this.emitEvent(type, object as Record<string, unknown>, meta, previousAttributes);
  }

  effect(kind: SimEffect['kind'], intentId: string, amount: number, objectId: string | null, meta: RequestMeta | null) {
    this.effects.push({
      kind,
      intentId,
      amount,
      objectId,
      idempotencyKey: meta?.idempotencyKey ?? null,
      at: new Date(this.now()).toISOString(),
    });
  }

  chargeOf(intent: PaymentIntentObject): ChargeObject | undefined {
    return intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
  }
}

import type { EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { ReturnRequest } from '../returns/return-request.entity.js';
import { transitionReturn } from '../returns/return-transitions.js';
import type { ClaimedOrder } from '../orders/lifecycle/order-change.js';
import { putOnHold } from '../orders/order-hold.js';
import { recordOrderEvent } from '../orders/order-transitions.js';
import { applyIntent, declineReason } from './apply-intent.js';
import { changeCardPayment } from './claimed-change.js';
import { PaymentGatewayError, type GatewayIntent, type GatewayRefund, type PaymentGateway } from './payment-gateway.js';
import {
  nextPendingStepKey,
  noteStepAttempt,
  noteStepError,
  releasePaymentLease,
  takePaymentLease,
} from './payment-lease.js';
import { PaymentStep } from './payment-step.entity.js';
import type { CardPayment } from './payment-steps.js';
import { Payment } from './payment.entity.js';

/**
 * The payments job's work: make the gateway calls an order's pending steps stand for, oldest
 * first, each with the idempotency key stored on it, and apply each answer in a transaction of
 * its own. No call is made inside a transaction; an answer that could not be stored (the worker
 * died, the database went away) is asked for again with the same key, and the gateway replays
 * it rather than moving money twice.
 */

export interface PaymentRunnerDeps {
  gateway: PaymentGateway;
  /** How long the lease on the payment lasts; longer than one call with its retries. */
  leaseMs: number;
}

export type RunResult =
  | { kind: 'busy' }
  | {
      kind: 'done';
      /** One line per step run, for the job's return value. */
      outcomes: string[];
      /** The asked-for step's status after the run. */
      status: string;
      /** Set when the asked-for step failed for good, not by a decline (a request the gateway refuses). */
      failure: string | null;
    };

type StepOutcome =
  | { status: 'succeeded'; intent: GatewayIntent | null; refund: GatewayRefund | null }
  | { status: 'failed'; error: PaymentGatewayError; intent: GatewayIntent | null }
  | { status: 'skipped'; why: string; intent: GatewayIntent | null };

/**
 * Runs the order's pending steps up to none left (the one named by `key` among them). `busy`:
 * another job holds the payment; the caller tries again a little later. A transient gateway
 * error is stored on the step and thrown, for the queue to retry with backoff.
 */
export async function runPaymentSteps(
  ctx: OperationContext,
  deps: PaymentRunnerDeps,
  orderId: string,
  key: string,
): Promise<RunResult> {
  const em = ctx.em.fork();
  const token = randomUUID();
  if (!(await takePaymentLease(em, orderId, token, deps.leaseMs))) {
    const exists = await em.getConnection().execute(`select 1 from payment where order_id = ?`, [orderId]);
    if (exists.length === 0) return { kind: 'done', outcomes: ['no card payment'], status: 'missing', failure: null };
    return { kind: 'busy' };
  }
  const outcomes: string[] = [];
  try {
    for (let next = await nextPendingStepKey(em, orderId); next; next = await nextPendingStepKey(em, orderId)) {
      const step = await em.fork().findOneOrFail(PaymentStep, { key: next });
      const payment = await em.fork().findOneOrFail(Payment, { order: orderId });
      await noteStepAttempt(em, step.key);
      let outcome: StepOutcome;
      try {
        outcome = await callGateway(deps.gateway, payment, step);
      } catch (error) {
        if (error instanceof PaymentGatewayError) await noteStepError(em, step.key, error.message);
        throw error;
      }
      outcomes.push(`${step.key}: ${await applyStepOutcome(ctx, orderId, step.key, outcome)}`);
    }
  } finally {
    await releasePaymentLease(em, orderId, token);
  }
  const [own] = await em
    .getConnection()
    .execute<{ status: string; last_error: string | null; error_kind: string | null }[]>(
      `select status, last_error, result->>'errorKind' as error_kind from payment_step where key = ?`,
      [key],
    );
  // A decline is the customer's card saying no: an outcome the order shows (held, with the
  // reason), not a failure of the job.
  const failed = own?.status === 'failed' && own.error_kind !== 'declined';
  return {
    kind: 'done',
    outcomes,
    status: own?.status ?? 'missing',
    failure: failed ? (own.last_error ?? 'failed') : null,
  };
}

/** The one gateway call a step stands for. Transient errors propagate; the others become outcomes. */
async function callGateway(gateway: PaymentGateway, payment: Payment, step: PaymentStep): Promise<StepOutcome> {
  const intentId = payment.intentId;
  try {
    switch (step.kind) {
      case 'authorize': {
        const intent = await gateway.createIntent({
          orderId: payment.order.id,
          amount: step.amount,
          currency: payment.currency.toLowerCase(),
          paymentMethod: step.paymentMethod ?? null,
          // No email: the key's parameters must be the same on every retry, and an erasure may
          // have removed the address between two attempts.
          customerEmail: null,
          idempotencyKey: step.key,
        });
        return { status: 'succeeded', intent, refund: null };
      }
      case 'capture':
        if (!intentId) return { status: 'skipped', why: 'no card authorisation to capture from', intent: null };
        return {
          status: 'succeeded',
          intent: await gateway.capture({ intentId, amount: step.amount, final: step.final, idempotencyKey: step.key }),
          refund: null,
        };
      case 'void':
        if (!intentId) return { status: 'skipped', why: 'no card authorisation was made', intent: null };
        return await voidIntent(gateway, intentId, step.key);
      case 'refund':
        if (!intentId) return { status: 'skipped', why: 'no card payment to refund', intent: null };
        return {
          status: 'succeeded',
          intent: null,
          refund: await gateway.refund({
            intentId,
            amount: step.amount,
            reason: 'requested_by_customer',
            idempotencyKey: step.key,
          }),
        };
    }
  } catch (error) {
    if (!(error instanceof PaymentGatewayError) || error.kind === 'transient') throw error;
    return { status: 'failed', error, intent: error.details.intent ?? null };
  }
}

/**
 * Cancels the intent. The gateway refuses to cancel one that is already cancelled or has been
 * captured in part; the intent is then read to tell which: cancelled is the outcome wanted, and
 * after a partial capture the rest of the authorisation is released when it lapses.
 */
async function voidIntent(gateway: PaymentGateway, intentId: string, key: string): Promise<StepOutcome> {
  try {
    return {
      status: 'succeeded',
      intent: await gateway.cancel({ intentId, reason: 'requested_by_customer', idempotencyKey: key }),
      refund: null,
    };
  } catch (error) {
    if (!(error instanceof PaymentGatewayError) || error.kind !== 'invalid') throw error;
    const intent = await gateway.retrieveIntent(intentId);
    if (intent.status === 'canceled') return { status: 'succeeded', intent, refund: null };
    if (intent.status === 'succeeded' || intent.amountReceived > 0)
      return {
        status: 'skipped',
        why: `the gateway keeps the uncaptured rest until the authorisation lapses (${error.message})`,
        intent,
      };
    return { status: 'failed', error, intent };
  }
}

/**
 * Applies one step's answer in one transaction: the step row, the payment row and whatever the
 * order does about it. Under the `reject` backorder policy an authorisation may arrive for an
 * order whose stock is gone: the change then runs again holding the order instead, so the
 * authorisation is recorded either way.
 */
async function applyStepOutcome(
  ctx: OperationContext,
  orderId: string,
  key: string,
  outcome: StepOutcome,
): Promise<string> {
  const apply = (holdInsteadOfAllocating?: string) =>
    changeCardPayment(ctx, orderId, async (tx, claimed, card) => {
      const step = card?.steps.find((s) => s.key === key);
      if (!card || !step) return 'step missing';
      if (step.status !== 'pending') return `already ${step.status}`;
      return applyToStep(tx, ctx, claimed, card, step, outcome, holdInsteadOfAllocating);
    });
  try {
    return await apply();
  } catch (error) {
    if (!(error instanceof DomainError && error.code === ErrorCode.INSUFFICIENT_STOCK)) throw error;
    return apply(`${error.message} (the channel's backorder policy refuses a shortfall); the card is authorised`);
  }
}

async function applyToStep(
  tx: EntityManager,
  ctx: OperationContext,
  claimed: ClaimedOrder,
  card: CardPayment,
  step: PaymentStep,
  outcome: StepOutcome,
  holdInsteadOfAllocating: string | undefined,
): Promise<string> {
  const { order } = claimed;
  const p = card.payment;
  step.status = outcome.status;
  step.completedAt = new Date();
  step.lastError =
    outcome.status === 'failed'
      ? outcome.error.message.slice(0, 1000)
      : outcome.status === 'skipped'
        ? outcome.why.slice(0, 1000)
        : null;
  step.result = resultOf(outcome);
  const source = `${step.kind} step ${step.key}`;
  const applied = outcome.intent
    ? await applyIntent(tx, ctx, claimed, card, outcome.intent, { source, holdInsteadOfAllocating })
    : null;
  const money = { provider: p.provider, reference: p.intentId, currency: order.currency };

  if (outcome.status === 'failed') {
    const declined = outcome.error.kind === 'declined';
    if (step.kind === 'authorize') {
      // A decline carries the intent (applied above, holding the order); anything else means no
      // intent could be made: hold the order so somebody looks at it.
      if (applied) return applied.outcome;
      const why = declined
        ? declineReason(p.provider, {
            lastError: {
              code: outcome.error.details.code ?? null,
              declineCode: outcome.error.details.declineCode ?? null,
              message: outcome.error.message,
            },
          })
        : `${p.provider} payment could not be set up: ${outcome.error.message}`.slice(0, 500);
      p.lastError = why;
      if (order.status === 'CONFIRMED') putOnHold(tx, order, ctx.actor, why);
      else recordOrderEvent(tx, order, ctx.actor, 'payment_declined', why, { ...money, key: step.key });
      return `failed: ${why}`;
    }
    recordOrderEvent(
      tx,
      order,
      ctx.actor,
      `payment_${step.kind}_failed`,
      declined ? declineReason(p.provider, { lastError: outcome.intent?.lastError ?? null }) : outcome.error.message,
      { ...money, amount: step.amount, key: step.key, code: outcome.error.details.code ?? null },
    );
    return `failed: ${outcome.error.message}`;
  }
  if (outcome.status === 'skipped') {
    if (step.kind === 'refund' && step.returnId) await settleReturn(tx, ctx, claimed, step.returnId, null);
    if (p.intentId)
      recordOrderEvent(tx, order, ctx.actor, `payment_${step.kind}_skipped`, outcome.why, { ...money, key: step.key });
    return `skipped: ${outcome.why}`;
  }

  switch (step.kind) {
    case 'authorize':
      return applied?.outcome ?? 'authorised';
    case 'capture':
      if (step.amount === 0) {
        recordOrderEvent(
          tx,
          order,
          ctx.actor,
          'payment_voided',
          `${p.provider} released the uncaptured ${p.voidedAmount} ${order.currency} of the authorisation`,
          { ...money, amount: p.voidedAmount, key: step.key },
        );
        return `released ${p.voidedAmount}`;
      }
      recordOrderEvent(
        tx,
        order,
        ctx.actor,
        'payment_captured',
        `${p.provider} captured ${step.amount} ${order.currency}${step.final ? ', releasing the rest' : ''}`,
        { ...money, amount: step.amount, final: step.final, shipmentId: step.shipmentId, key: step.key },
      );
      return `captured ${step.amount}`;
    case 'void':
      recordOrderEvent(
        tx,
        order,
        ctx.actor,
        'payment_voided',
        p.authorizedAmount > 0
          ? `${p.provider} released ${p.voidedAmount} ${order.currency} of the authorisation`
          : `${p.provider} cancelled the payment before anything was authorised`,
        { ...money, amount: p.voidedAmount, key: step.key },
      );
      return `voided ${p.voidedAmount}`;
    case 'refund': {
      const refund = (outcome as { refund: GatewayRefund }).refund;
      p.refundedAmount = Math.min(p.capturedAmount, p.refundedAmount + refund.amount);
      recordOrderEvent(
        tx,
        order,
        ctx.actor,
        'payment_refunded',
        `${p.provider} refunded ${refund.amount} ${order.currency}${step.returnId ? ` for return ${step.returnId}` : ''}`,
        { ...money, reference: refund.id, authorization: p.intentId, amount: refund.amount, key: step.key },
      );
      if (step.returnId) await settleReturn(tx, ctx, claimed, step.returnId, refund);
      return `refunded ${refund.amount} (${refund.id}, ${refund.status})`;
    }
  }
}

function resultOf(outcome: StepOutcome): Record<string, unknown> {
  return {
    ...(outcome.intent ? { intentId: outcome.intent.id, intentStatus: outcome.intent.status } : {}),
    ...(outcome.status === 'succeeded' && outcome.refund
      ? { refundId: outcome.refund.id, refundStatus: outcome.refund.status, amount: outcome.refund.amount }
      : {}),
    ...(outcome.status === 'failed'
      ? {
          errorKind: outcome.error.kind,
          code: outcome.error.details.code ?? null,
          declineCode: outcome.error.details.declineCode ?? null,
        }
      : {}),
  };
}

/** A return whose refund went through (or was skipped): received → refunded, as receiveReturn does for `manual`. */
async function settleReturn(
  tx: EntityManager,
  ctx: OperationContext,
  claimed: ClaimedOrder,
  returnId: string,
  refund: GatewayRefund | null,
): Promise<void> {
  const ret = await tx.findOne(ReturnRequest, { id: returnId, order: claimed.order.id });
  if (!ret || ret.status !== 'received') return;
  transitionReturn(ret, 'refunded');
  // A change of the order's return: the order's version moves, as for any change of it.
  claimed.order.updatedAt = new Date();
  ret.refundedAmount = refund?.amount ?? 0;
  ret.refundReference = refund?.id ?? null;
  ret.refundedAt = new Date();
  recordOrderEvent(
    tx,
    claimed.order,
    ctx.actor,
    'return_refunded',
    refund ? `refunded ${refund.amount} ${ret.currency}` : 'no card payment to refund',
    { returnId: ret.id, amount: ret.refundedAmount, currency: ret.currency, reference: ret.refundReference },
  );
}

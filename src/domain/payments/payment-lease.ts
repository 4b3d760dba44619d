import type { EntityManager } from '@mikro-orm/core';

/**
 * One job at a time works on an order's payment: its steps run in order (a final capture must
 * not overtake the partial one before it), and two jobs must never send one key at once (the
 * gateway refuses a key whose first request is still running). The lease is a column pair on
 * the payment row, taken and given back in statements of their own, never held across a
 * transaction; a worker that dies leaves it to lapse after `ms`.
 */

async function run<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all');
}

/** Takes the lease, or answers false while another job holds it (or when the order has no card payment). */
export async function takePaymentLease(
  em: EntityManager,
  orderId: string,
  token: string,
  ms: number,
): Promise<boolean> {
  const rows = await run(
    em,
    `update payment set lease_token = ?, lease_until = now() + make_interval(secs => ?)
      where order_id = ? and (lease_until is null or lease_until < now())
      returning 1 as taken`,
    [token, ms / 1000, orderId],
  );
  return rows.length === 1;
}

/** Gives the lease back, if this token still holds it. */
export async function releasePaymentLease(em: EntityManager, orderId: string, token: string): Promise<void> {
  await run(em, `update payment set lease_token = null, lease_until = null where order_id = ? and lease_token = ?`, [
    orderId,
    token,
  ]);
}

/** Counts an attempt at a step's call, before it is made. */
export async function noteStepAttempt(em: EntityManager, key: string): Promise<void> {
  await run(em, `update payment_step set attempts = attempts + 1 where key = ? and status = 'pending'`, [key]);
}

/** A call that will be retried (timeout, 5xx, 429): the step stays pending with the reason, for the API and the logs. */
export async function noteStepError(em: EntityManager, key: string, error: string): Promise<void> {
  await run(em, `update payment_step set last_error = ? where key = ? and status = 'pending'`, [
    error.slice(0, 1000),
    key,
  ]);
}

/** The order's oldest pending step, read fresh (not through an identity map). */
export async function nextPendingStepKey(em: EntityManager, orderId: string): Promise<string | null> {
  const rows = await run<{ key: string }>(
    em,
    `select key from payment_step where order_id = ? and status = 'pending' order by seq limit 1`,
    [orderId],
  );
  return rows[0]?.key ?? null;
}

/**
 * Pending steps requested more than `olderThanMs` ago, oldest first: their job may have been lost
 * with Redis (or never enqueued); the sweep enqueues them again under the same job id.
 */
export async function stalePendingSteps(
  em: EntityManager,
  olderThanMs: number,
  limit: number,
): Promise<{ orderId: string; key: string }[]> {
  const rows = await run<{ order_id: string; key: string }>(
    em,
    `select order_id, key from payment_step
      where status = 'pending' and requested_at < now() - make_interval(secs => ?)
      order by requested_at limit ?`,
    [olderThanMs / 1000, limit],
  );
  return rows.map((r) => ({ orderId: r.order_id, key: r.key }));
}

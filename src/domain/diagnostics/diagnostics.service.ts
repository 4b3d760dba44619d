import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { DiagnosticPing } from './diagnostic-ping.entity.js';

/** Port: how the domain hands a ping to the job system (implemented in src/jobs). */
export interface PingDispatcher {
  dispatch(pingId: string): Promise<void>;
}

export const MAX_PING_DELAY_MS = 60_000;

/**
 * Records a ping, commits it, then hands it to the queue. If the queue cannot take it the row
 * is removed again and the caller hears UNAVAILABLE: no ping is left waiting for a job that
 * does not exist.
 */
export async function requestDiagnosticPing(
  ctx: OperationContext,
  dispatcher: PingDispatcher,
  delayMs: number,
): Promise<DiagnosticPing> {
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_PING_DELAY_MS) {
    throw badInput('delayMs', `must be a whole number of milliseconds from 0 to ${MAX_PING_DELAY_MS}`, {
      min: 0,
      max: MAX_PING_DELAY_MS,
    });
  }
  const ping = ctx.em.create(DiagnosticPing, { requestedBy: ctx.actor.id, delayMs, status: 'queued', attempts: 0 });
  await ctx.em.flush();
  try {
    await dispatcher.dispatch(ping.id);
  } catch (error) {
    ctx.logger.error({ err: (error as Error).message, pingId: ping.id }, 'could not enqueue diagnostic ping');
    await ctx.em.remove(ping).flush();
    throw new DomainError(ErrorCode.UNAVAILABLE, 'The job queue is unavailable right now; try again shortly');
  }
  return ping;
}

export async function getDiagnosticPing(ctx: OperationContext, id: string): Promise<DiagnosticPing> {
  const ping = isUuid(id) ? await ctx.em.findOne(DiagnosticPing, { id }) : null;
  if (!ping) throw notFound('DiagnosticPing', id);
  return ping;
}

/** Runs one ping; idempotent, so a job redelivered after a crash finishes it without harm. */
export async function runDiagnosticPing(ctx: OperationContext, id: string): Promise<void> {
  const ping = await ctx.em.findOne(DiagnosticPing, { id });
  if (!ping || ping.status === 'done') return;
  ping.status = 'running';
  ping.attempts += 1;
  ping.startedAt ??= new Date();
  await ctx.em.flush();
  await new Promise((r) => setTimeout(r, ping.delayMs));
  ping.status = 'done';
  ping.finishedAt = new Date();
  await ctx.em.flush();
}

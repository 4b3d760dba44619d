import { writeAudit } from '../audit/audit-log.js';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { inTransaction } from '../transaction.js';
import type { ChannelSyncPort } from './channel-deps.js';
import { Channel } from './channel.entity.js';

/**
 * "Pull now": checks the channel can sync (connected platform channel, enabled), audits the
 * request, then asks the jobs layer for a pull of orders updated since `since` (or since the
 * channel's cursor when null). The job is added after the audit row commits; the job id is the
 * answer.
 */
export async function requestChannelSync(
  ctx: OperationContext,
  sync: ChannelSyncPort,
  channelId: string,
  since: Date | null,
): Promise<string> {
  if (since !== null && (Number.isNaN(since.getTime()) || since.getTime() > Date.now()))
    throw badInput('since', 'must be a time in the past');
  await inTransaction(ctx.em, async (tx) => {
    const channel = await tx.findOne(Channel, { id: channelId });
    if (!channel) throw notFound('Channel', channelId);
    if (channel.kind === 'direct') throw badInput('id', 'the direct channel has no platform to pull from');
    if (!channel.enabled || channel.disconnectedAt)
      throw new DomainError(
        ErrorCode.CONFLICT,
        `Channel ${channelId} is disabled or disconnected: enable it with updateChannel first`,
        { channelId },
      );
    await writeAudit(tx, ctx, {
      action: 'channel.sync_requested',
      subjectType: 'channel',
      subjectId: channelId,
      data: { since: since?.toISOString() ?? null },
    });
  });
  const jobId = await sync.requestSync(channelId, since);
  ctx.logger.info(
    { channelId, jobId, since: since?.toISOString() ?? null, by: ctx.actor.id },
    'channel sync requested',
  );
  return jobId;
}

import type { OperationContext } from '../context.js';
import type { HoldPolicy } from '../orders/hold-rules.js';
import type { ChannelOrder } from './channel-order.js';

export interface IngestDeps {
  policy: HoldPolicy;
}

export type IngestResult = 'created' | 'updated' | 'unchanged' | 'held' | 'cancelled';

export interface IngestOutcome {
  externalId: string;
  orderId: string;
  result: IngestResult;
}

/**
 * The one domain operation behind webhooks, pulls and backfills: each platform order is
 * created, updated, cancelled or left unchanged, idempotently by (channel, externalId).
 * (Contract: implemented by the ingestion work; see docs/CHANNELS.md.)
 */
export async function ingestChannelOrders(
  _ctx: OperationContext,
  _deps: IngestDeps,
  _channelId: string,
  _orders: readonly ChannelOrder[],
): Promise<IngestOutcome[]> {
  throw new Error('ingestChannelOrders: not implemented yet');
}

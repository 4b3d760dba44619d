import type { EntityManager } from '@mikro-orm/core';
import type { ChannelConnector } from '../connectors/connector.js';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import type { DomainLogger } from '../domain/context.js';
import { DomainError, ErrorCode, notFound } from '../domain/errors.js';
import type { SyncProgress } from '../domain/channels/sync-progress.js';
import type { ConnectorSource } from './channel-connectors.js';
import type { OperationContext } from '../domain/context.js';
import { matchChannelListings } from '../domain/channels/match-channel-listings.js';
import { ingestChannelOrders, type IngestDeps } from '../domain/channels/ingest-channel-orders.js';
import { advanceSyncCursor, channelForJob, markChannelSynced } from './channel-push.store.js';

/** Shopify's connections return at most 250 nodes a page (CONNECTORS.md §1). */
export const PULL_PAGE_SIZE = 250;
/**
 * The cursor is stored this far behind the newest change seen: orders committed on the platform
 * with an `updatedAt` just before another's may be listed after it, so the next pull looks back
 * a little (ingestion is idempotent: a re-pulled order is `unchanged`).
 */
export const CURSOR_OVERLAP_MS = 60_000;
/** A first pull with no cursor looks back this far (Shopify shows 60 days without read_all_orders). */
export const FIRST_PULL_LOOKBACK_MS = 60 * 24 * 3600_000;
/** Reconciliation re-reads the last day unless told a time. */
export const RECONCILE_WINDOW_MS = 24 * 3600_000;

/** A pull's progress; when the platform's call budget stopped it, how long until it may go on, and from where. */
export interface PullOutcome extends SyncProgress {
  budgetWaitMs?: number;
  /** The page token to go on from (null: the window's first page). */
  pageCursor?: string | null;
}

/**
 * Pulls every order the platform changed since `since`, page by page, ingests each page (the
 * one domain operation webhooks use too), and reports progress after each. With
 * `advanceCursor`, the channel's cursor moves to the newest change seen (minus the overlap)
 * after every page, so a pull cut short (a dead worker, or `shouldStop`) resumes about where it
 * stopped.
 */
export async function pullChannelOrders(
  ctx: OperationContext,
  deps: { connector: ChannelConnector; ingest: IngestDeps; ingestOrders?: typeof ingestChannelOrders },
  channelId: string,
  since: Date,
  options: {
    advanceCursor: boolean;
    onProgress?: (progress: SyncProgress) => Promise<void> | void;
    /** Orders a page (`CHANNEL_PULL_PAGE_SIZE`); the platform's maximum unless told. */
    pageSize?: number;
    /**
     * Asked after each page: true stops the pull there (progress `done: false`). A worker shutting
     * down stops a long pull at the page it is on; the cursor holds the place for its rerun.
     */
    shouldStop?: () => boolean;
    /**
     * Asked before each page: the milliseconds until the platform's budget allows the call (0:
     * a call was taken from it). Over 0 stops the pull there (`budgetWaitMs`, `pageCursor`).
     */
    beforePage?: () => Promise<number>;
    /** The page token to start from (a pull resumed after its budget was spent). */
    startCursor?: string | null;
  },
): Promise<PullOutcome> {
  const progress: PullOutcome = { channelId, pulled: 0, created: 0, updated: 0, unchanged: 0, held: 0, done: false };
  let cursor: string | null = options.startCursor ?? null;
  // Per page only when pages come in order of change; otherwise once, after the last page.
  const advancePerPage = options.advanceCursor && deps.connector.pagesOrderedByChange !== false;
  let newestSeen = -Infinity;
  do {
    const waitMs = (await options.beforePage?.()) ?? 0;
    // Nothing is called before the budget allows it: the pull stops here, to go on from this page.
    if (waitMs > 0) return { ...progress, budgetWaitMs: waitMs, pageCursor: cursor };
    const page = await deps.connector.pullOrders(since, cursor, options.pageSize ?? PULL_PAGE_SIZE);
    const outcomes = await (deps.ingestOrders ?? ingestChannelOrders)(ctx, deps.ingest, channelId, page.orders);
    progress.pulled += page.orders.length;
    for (const o of outcomes) {
      if (o.result === 'created') progress.created++;
      else if (o.result === 'unchanged') progress.unchanged++;
      else if (o.result === 'held') progress.held++;
      else progress.updated++;
    }
    const newest = Math.max(...page.orders.map((o) => o.updatedAt.getTime()));
    newestSeen = Math.max(newestSeen, newest);
    if (advancePerPage && Number.isFinite(newest))
      await advanceSyncCursor(ctx.em, channelId, new Date(newest - CURSOR_OVERLAP_MS));
    cursor = page.nextCursor;
    if (cursor) await options.onProgress?.({ ...progress });
    if (cursor && options.shouldStop?.()) return progress;
  } while (cursor);
  if (options.advanceCursor && !advancePerPage && Number.isFinite(newestSeen))
    await advanceSyncCursor(ctx.em, channelId, new Date(newestSeen - CURSOR_OVERLAP_MS));
  progress.done = true;
  await options.onProgress?.({ ...progress });
  return progress;
}

/** Where a pull starts: the time asked for, else the channel's cursor, else the platform's horizon. */
export function pullStart(
  mode: 'pull' | 'reconcile',
  since: string | undefined,
  cursor: Date | null,
  now: number,
): Date {
  if (since) return new Date(since);
  if (mode === 'reconcile') return new Date(now - RECONCILE_WINDOW_MS);
  return cursor ?? new Date(now - FIRST_PULL_LOOKBACK_MS);
}

/**
 * `switchyard sync <channelId> [--since]`: the pull a `channel-sync` job runs, in this process
 * (a backfill an operator watches). Without `--since` it starts at the cursor and moves it.
 */
export async function backfillChannel(
  em: EntityManager,
  deps: { connectors: ConnectorSource; ingest: IngestDeps; logger: DomainLogger },
  channelId: string,
  since: Date | undefined,
  onProgress: (progress: SyncProgress) => void,
): Promise<SyncProgress> {
  const channel = await channelForJob(em, channelId);
  if (!channel) throw notFound('Channel', channelId);
  if (!channel.active)
    throw new DomainError(ErrorCode.CONFLICT, `Channel ${channelId} is not connected and enabled`, { channelId });
  const { connector } = await deps.connectors(em, channelId);
  if (connector.listVariantsBySku)
    await matchChannelListings(em, channelId, (skus) => connector.listVariantsBySku!(skus));
  const ctx = { actor: SYSTEM_PRINCIPAL, requestId: 'cli-sync', em, logger: deps.logger };
  const start = since ?? pullStart('pull', undefined, channel.syncCursor, Date.now());
  const progress = await pullChannelOrders(ctx, { connector, ingest: deps.ingest }, channelId, start, {
    advanceCursor: !since,
    onProgress,
  });
  await markChannelSynced(em, channelId);
  return progress;
}

/** One line of CLI progress (the total is unknown while paging, so counts and a rate). */
export function syncProgressLine(p: SyncProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? Math.round((p.pulled / elapsedMs) * 1000) : 0;
  const spinner = p.done ? '#' : '|/-\\'[Math.floor(elapsedMs / 250) % 4];
  return `[${spinner}] ${p.pulled.toLocaleString('en')} orders pulled (${p.created} created, ${p.updated} updated, ${p.unchanged} unchanged, ${p.held} held), ${rate.toLocaleString('en')}/s`;
}

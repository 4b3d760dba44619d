import { randomUUID } from 'node:crypto';
import type { SimListings, ListingIssue, PatchOperation } from './sim-listings.js';

export type FeedStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'FATAL' | 'CANCELLED';

export interface SimFeed {
  feedId: string;
  feedType: string;
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  createdTime: string;
  /** When processing runs (the feed stays IN_QUEUE until then). */
  processAt: number;
  processingStatus: FeedStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  resultFeedDocumentId?: string;
}

interface FeedDocument {
  id: string;
  contentType: string;
  content: Buffer | null;
}

/**
 * Feeds as Amazon runs them: a document to upload to (a URL of our own in place of S3's presigned
 * one), a feed over it that stays IN_QUEUE for `processingMs`, then DONE with a processing report
 * document (JSON_LISTINGS_FEED's report: header, per-message issues, summary), or FATAL when the
 * document cannot be read at all.
 */
export class SimFeeds {
  readonly feeds = new Map<string, SimFeed>();
  readonly documents = new Map<string, FeedDocument>();
  private nextFeed = 50_000;

  constructor(
    private readonly listings: SimListings,
    private readonly sellerId: string,
    private readonly now: () => number,
    /** How long a feed waits before it is processed. */
    public processingMs: number,
  ) {}

  createDocument(contentType: string): FeedDocument {
    const doc = { id: `amzn1.tortuga.4.na.${randomUUID()}`, contentType, content: null };
    this.documents.set(doc.id, doc);
    return doc;
  }

  upload(id: string, content: Buffer): boolean {
    const doc = this.documents.get(id);
    if (!doc) return false;
    doc.content = content;
    return true;
  }

  create(feedType: string, marketplaceIds: string[], inputFeedDocumentId: string): SimFeed | string {
    const doc = this.documents.get(inputFeedDocumentId);
    if (!doc) return `No feed document ${inputFeedDocumentId}`;
    if (doc.content === null) return `Feed document ${inputFeedDocumentId} was never uploaded`;
    const now = this.now();
    const feed: SimFeed = {
      feedId: String(this.nextFeed++),
      feedType,
      marketplaceIds,
      inputFeedDocumentId,
      createdTime: iso(now),
      processAt: now + this.processingMs,
      processingStatus: 'IN_QUEUE',
    };
    this.feeds.set(feed.feedId, feed);
    return feed;
  }

  /** The feed as of now: processed (once) when its time has come. */
  get(feedId: string): SimFeed | undefined {
    const feed = this.feeds.get(feedId);
    if (feed && feed.processingStatus === 'IN_QUEUE' && this.now() >= feed.processAt) this.process(feed);
    return feed;
  }

  private process(feed: SimFeed): void {
    feed.processingStartTime = iso(this.now());
    const doc = this.documents.get(feed.inputFeedDocumentId)!;
    let parsed: unknown;
    try {
      parsed = JSON.parse(doc.content!.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const messages = (parsed as { messages?: unknown } | undefined)?.messages;
    if (feed.feedType !== 'JSON_LISTINGS_FEED' || !Array.isArray(messages)) {
      feed.processingStatus = 'FATAL';
      feed.resultFeedDocumentId = this.report(
        feed,
        [{ code: '100', severity: 'ERROR', message: 'The feed is not a JSON_LISTINGS_FEED document' }],
        0,
        0,
      );
      feed.processingEndTime = iso(this.now());
      return;
    }
    const issues: (ListingIssue & { messageId: number })[] = [];
    let invalid = 0;
    for (const raw of messages as Record<string, unknown>[]) {
      const found = this.apply(raw);
      if (found.length) invalid++;
      issues.push(...found.map((i) => ({ ...i, messageId: Number(raw.messageId) })));
    }
    feed.processingStatus = 'DONE';
    feed.resultFeedDocumentId = this.report(feed, issues, messages.length, invalid);
    feed.processingEndTime = iso(this.now());
  }

  private apply(m: Record<string, unknown>): ListingIssue[] {
    const sku = m.sku;
    if (typeof sku !== 'string' || !Number.isInteger(m.messageId))
      return [{ code: '100', severity: 'ERROR', message: 'A message needs a messageId and a sku' }];
    const productType = typeof m.productType === 'string' ? m.productType : 'PRODUCT';
    switch (m.operationType) {
      case 'DELETE':
        return this.listings.delete(sku);
      case 'UPDATE':
      case 'PARTIAL_UPDATE':
        return this.listings.update(sku, productType, m.attributes as Record<string, unknown> | undefined);
      case 'PATCH':
        return this.listings.patch(sku, productType, (m.patches as PatchOperation[] | undefined) ?? []);
      default:
        return [{ code: '100', severity: 'ERROR', message: `Unknown operationType ${String(m.operationType)}` }];
    }
  }

  private report(
    feed: SimFeed,
    issues: (ListingIssue & { messageId?: number })[],
    processed: number,
    invalid: number,
  ): string {
    const body = {
      header: { sellerId: this.sellerId, version: '2.0', feedId: feed.feedId },
      issues,
      summary: {
        errors: issues.filter((i) => i.severity === 'ERROR').length,
        warnings: issues.filter((i) => i.severity === 'WARNING').length,
        messagesProcessed: processed,
        messagesAccepted: processed - invalid,
        messagesInvalid: invalid,
      },
    };
    const doc = this.createDocument('application/json');
    doc.content = Buffer.from(JSON.stringify(body));
    return doc.id;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

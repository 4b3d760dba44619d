import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import type { FeedsApiClient } from '@sp-api-sdk/feeds-api-2021-06-30';
import { PlatformError } from '../connector.js';
import { callAmazon, READ_POLICY, WRITE_POLICY } from './amazon-call.js';
import { amazonError } from './amazon-errors.js';

export interface FeedWaitOptions {
  /** Between two getFeed calls (getFeed allows 2 a second, burst 15). */
  pollIntervalMs: number;
  /** Longest we wait for DONE before giving up (TRANSIENT: the push is retried later). */
  maxWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface FeedResult {
  feedId: string;
  /** The processing report, parsed. */
  report: unknown;
}

const CONTENT_TYPE = 'application/json; charset=UTF-8';

/**
 * One feed through Amazon's five steps: createFeedDocument → upload the content to the
 * document's URL → createFeed → getFeed until DONE → getFeedDocument and download the report.
 * Uploading and downloading use fetch (the URLs are presigned S3 ones, outside the SP-API).
 */
export async function submitFeed(
  feeds: FeedsApiClient,
  input: { feedType: string; marketplaceIds: string[]; content: string },
  options: FeedWaitOptions & { timeoutMs: number },
): Promise<FeedResult> {
  const { timeoutMs } = options;
  // A document nobody uses is harmless, so creating one is retried like a read.
  const { data: doc } = await callAmazon('createFeedDocument', READ_POLICY(timeoutMs), (o) =>
    feeds.createFeedDocument({ body: { contentType: CONTENT_TYPE } }, o),
  );
  await callAmazon('uploadFeedDocument', READ_POLICY(timeoutMs), async ({ timeout }) => {
    const res = await fetch(doc.url, {
      method: 'PUT',
      headers: { 'content-type': CONTENT_TYPE },
      body: input.content,
      signal: AbortSignal.timeout(timeout),
    });
    if (!res.ok) throw amazonError({ operation: 'uploadFeedDocument', status: res.status, body: await res.text() });
  });
  // createFeed is not idempotent and its quota is ~30 an hour: never repeated here.
  const { data: created } = await callAmazon('createFeed', WRITE_POLICY(timeoutMs), (o) =>
    feeds.createFeed(
      {
        body: {
          feedType: input.feedType,
          marketplaceIds: input.marketplaceIds,
          inputFeedDocumentId: doc.feedDocumentId,
        },
      },
      o,
    ),
  );
  const resultDocumentId = await waitForFeed(feeds, created.feedId, options);
  const { data: result } = await callAmazon('getFeedDocument', READ_POLICY(timeoutMs), (o) =>
    feeds.getFeedDocument({ feedDocumentId: resultDocumentId }, o),
  );
  const report = await callAmazon('downloadFeedDocument', READ_POLICY(timeoutMs), async ({ timeout }) => {
    const res = await fetch(result.url, { signal: AbortSignal.timeout(timeout) });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (!res.ok) throw amazonError({ operation: 'downloadFeedDocument', status: res.status, body: bytes.toString() });
    const text = (result.compressionAlgorithm === 'GZIP' ? gunzipSync(bytes) : bytes).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new PlatformError('INVALID', `Amazon feed ${created.feedId}'s processing report is not JSON`);
    }
  });
  return { feedId: created.feedId, report };
}

/** Polls getFeed until the feed is DONE; its result document's id. */
async function waitForFeed(
  feeds: FeedsApiClient,
  feedId: string,
  options: FeedWaitOptions & { timeoutMs: number },
): Promise<string> {
  const pause = options.sleep ?? ((ms: number) => sleep(ms));
  const deadline = Date.now() + options.maxWaitMs;
  for (;;) {
    const { data: feed } = await callAmazon('getFeed', READ_POLICY(options.timeoutMs), (o) =>
      feeds.getFeed({ feedId }, o),
    );
    if (feed.processingStatus === 'DONE') {
      if (!feed.resultFeedDocumentId)
        throw new PlatformError('INVALID', `Amazon feed ${feedId} is DONE without a report`);
      return feed.resultFeedDocumentId;
    }
    if (feed.processingStatus === 'FATAL' || feed.processingStatus === 'CANCELLED')
      throw new PlatformError('INVALID', `Amazon feed ${feedId} ended ${feed.processingStatus}`);
    if (Date.now() >= deadline)
      // The feed goes on at Amazon; the push is retried and sends the then-current figures.
      throw new PlatformError(
        'TRANSIENT',
        `Amazon feed ${feedId} still ${feed.processingStatus} after ${options.maxWaitMs} ms`,
      );
    await pause(options.pollIntervalMs);
  }
}

import type { Job } from 'bullmq';
import { createHash } from 'node:crypto';
import { PlatformError, type ChannelConnector, type StockTarget } from '../../src/connectors/connector.js';
import { sql } from './database.js';

/**
 * channel_listing as the channels work defines it (channel_id, sku, external_variant_id,
 * external_inventory_item_id, external_location_id, last_pushed_quantity). Created here only when
 * that migration is not merged yet; the jobs read nothing else of it.
 */
export async function ensureChannelListing(url: string): Promise<void> {
  await sql(
    url,
    `create table if not exists channel_listing (
       channel_id varchar(64) not null references channel (id),
       sku varchar(100) not null,
       external_variant_id varchar(255) null,
       external_inventory_item_id varchar(255) null,
       external_location_id varchar(255) null,
       last_pushed_quantity integer null,
       primary key (channel_id, sku)
     )`,
  );
}

export async function createShopifyChannel(url: string, id: string, stockBuffer = 0): Promise<void> {
  await sql(
    url,
    `insert into channel (id, kind, name, enabled, stock_buffer, backorder_policy) values ($1, 'shopify', $1, true, $2, 'backorder')`,
    [id, stockBuffer],
  );
}

export async function listSkus(url: string, channelId: string, skus: readonly string[]): Promise<void> {
  for (const sku of skus) {
    await sql(
      url,
      `insert into channel_listing (channel_id, sku, external_variant_id, external_inventory_item_id, external_location_id, mapped_by)
       values ($1, $2, $3, $4, 'gid://shopify/Location/1', 'manual')`,
      [channelId, sku, `gid://shopify/ProductVariant/${sku}`, itemIdOf(sku)],
    );
  }
}

export const itemIdOf = (sku: string): string =>
  `gid://shopify/InventoryItem/${BigInt('0x' + createHash('sha256').update(sku).digest('hex').slice(0, 15)).toString()}`;

export interface RecordedCall {
  at: number;
  targets: StockTarget[];
  idempotencyKey: string;
  outcome: 'ok' | 'throttled' | 'error';
}

/**
 * A stand-in for the platform (an EXTERNAL system, so a test double is fair): holds quantities
 * per inventory item, applies compare-and-swap like inventorySetQuantities' changeFromQuantity,
 * keeps a leaky cost bucket (10 points a call + 1 per figure, restoring `restorePerSecond`) and
 * answers RATE_LIMITED with the wait it needs, and counts every call, including calls made
 * before a Retry-After had passed (there must be none).
 */
export class RecordingConnector implements ChannelConnector {
  readonly calls: RecordedCall[] = [];
  readonly platform = new Map<string, number>();
  earlyCalls = 0;
  lowestBucket: number;
  /** When set, the next calls fail with this (consumed one per call). */
  failures: PlatformError[] = [];
  private bucket: number;
  private bucketAt = Date.now();
  private notBefore = 0;

  constructor(
    private readonly capacity = 1_000,
    private readonly restorePerSecond = 1_000,
  ) {
    this.bucket = capacity;
    this.lowestBucket = capacity;
  }

  async pushStock(targets: StockTarget[], idempotencyKey: string) {
    const at = Date.now();
    if (at < this.notBefore) this.earlyCalls++;
    const injected = this.failures.shift();
    if (injected) {
      this.calls.push({ at, targets, idempotencyKey, outcome: 'error' });
      if (injected.kind === 'RATE_LIMITED') this.notBefore = at + (injected.retryAfterMs ?? 0);
      throw injected;
    }
    this.bucket = Math.min(this.capacity, this.bucket + ((at - this.bucketAt) / 1000) * this.restorePerSecond);
    this.bucketAt = at;
    const cost = 10 + targets.length;
    if (cost > this.bucket) {
      const waitMs = Math.ceil(((cost - this.bucket) / this.restorePerSecond) * 1000);
      this.notBefore = at + waitMs;
      this.calls.push({ at, targets, idempotencyKey, outcome: 'throttled' });
      throw new PlatformError('RATE_LIMITED', 'THROTTLED', waitMs);
    }
    this.bucket -= cost;
    this.lowestBucket = Math.min(this.lowestBucket, this.bucket);
    this.calls.push({ at, targets, idempotencyKey, outcome: 'ok' });
    const stale: { sku: string; actualQuantity: number | null }[] = [];
    for (const t of targets) {
      const held = this.platform.get(t.externalInventoryItemId) ?? null;
      if (t.expectedQuantity !== null && held !== t.expectedQuantity) {
        stale.push({ sku: t.sku, actualQuantity: held });
        continue;
      }
      this.platform.set(t.externalInventoryItemId, t.quantity);
    }
    return { stale };
  }

  async pullOrders(): Promise<never> {
    throw new PlatformError('INVALID', 'not used here');
  }
  async pushFulfilment(): Promise<never> {
    throw new PlatformError('INVALID', 'not used here');
  }
  async pushCancellation(): Promise<never> {
    throw new PlatformError('INVALID', 'not used here');
  }
}

/** Polls until `check` answers true, or fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type AnyJob = Job<unknown>;

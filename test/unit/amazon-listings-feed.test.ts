import { describe, expect, it } from '@jest/globals';
import { packageReferenceIdFor } from '../../src/connectors/amazon/amazon.connector.js';
import {
  listingsQuantityFeed,
  MAX_FEED_MESSAGES,
  rejectedSkus,
} from '../../src/connectors/amazon/amazon-listings-feed.js';
import type { StockTarget } from '../../src/connectors/connector.js';
import { amazonFixture } from '../support/fixtures.js';

const target = (sku: string, quantity: number): StockTarget => ({
  sku,
  externalInventoryItemId: sku,
  externalLocationId: 'DEFAULT',
  quantity,
  expectedQuantity: null,
});

/** The official JSON_LISTINGS_FEED example: message 5 is a quantity merge patch like ours. */
const EXAMPLE = amazonFixture<{ header: Record<string, unknown>; messages: Record<string, unknown>[] }>(
  'json-listings-feed.example.json',
);

describe('listingsQuantityFeed', () => {
  it("writes each quantity as the official example's merge patch of fulfillment_availability", () => {
    const feed = listingsQuantityFeed('A2SELLER', [target('My-SKU-E', 10)]);
    const official = EXAMPLE.messages.find((m) => m.messageId === 5)!;
    expect(feed.messages[0]!.patches).toEqual(official.patches);
    expect(feed.messages[0]).toMatchObject({ messageId: 1, sku: 'My-SKU-E', operationType: 'PATCH' });
    expect(feed.header).toEqual({ sellerId: 'A2SELLER', version: '2.0', issueLocale: 'en_US' });
  });

  it('numbers messages from 1 in target order and never sends a negative quantity', () => {
    const feed = listingsQuantityFeed('S', [target('A', 3), target('B', -2)]);
    expect(feed.messages.map((m) => [m.messageId, m.sku, m.patches[0]!.value[0]!.quantity])).toEqual([
      [1, 'A', 3],
      [2, 'B', 0],
    ]);
  });

  it('refuses more messages than one feed holds', () => {
    const many = Array.from({ length: MAX_FEED_MESSAGES + 1 }, (_, i) => target(`S${i}`, 1));
    expect(() => listingsQuantityFeed('S', many)).toThrow(RangeError);
  });
});

describe('rejectedSkus', () => {
  it('names the SKU of every message with an ERROR and ignores warnings', () => {
    const feed = listingsQuantityFeed('S', [target('A', 1), target('B', 1), target('C', 1)]);
    const report = {
      issues: [
        { messageId: 2, code: '4000004', severity: 'ERROR', message: 'no listing' },
        { messageId: 2, code: '90001', severity: 'ERROR', message: 'and another' },
        { messageId: 3, code: '18', severity: 'WARNING', message: 'just saying' },
        { code: '100', severity: 'ERROR', message: 'not about a message' },
      ],
    };
    expect(rejectedSkus(feed, report)).toEqual([{ sku: 'B', message: '4000004 no listing; 90001 and another' }]);
  });
});

describe('packageReferenceIdFor', () => {
  it('gives the same positive number for the same key and different ones for different keys', () => {
    const a = packageReferenceIdFor('fulfilment-push.1');
    expect(a).toMatch(/^[1-9]\d*$/);
    expect(Number.isSafeInteger(Number(a))).toBe(true);
    expect(packageReferenceIdFor('fulfilment-push.1')).toBe(a);
    expect(packageReferenceIdFor('fulfilment-push.2')).not.toBe(a);
  });
});

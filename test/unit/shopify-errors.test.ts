import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { PlatformErrorKind } from '../../src/connectors/connector.js';
import {
  parseRetryAfter,
  shopifyError,
  throttleWaitMs,
  type ShopifyFailure,
} from '../../src/connectors/shopify/shopify-errors.js';

const BODIES = new URL('../../src/connectors/shopify/error-bodies/', import.meta.url);
const recorded = (file: string): ShopifyFailure =>
  JSON.parse(readFileSync(new URL(file, BODIES), 'utf8')) as ShopifyFailure;

describe('shopifyError: every Shopify failure into the closed set', () => {
  it.each<[string, PlatformErrorKind]>([
    ['401-invalid-token.json', 'AUTH'],
    ['403-missing-scope.json', 'AUTH'],
    ['404-not-found.json', 'NOT_FOUND'],
    ['429-retry-after.json', 'RATE_LIMITED'],
    ['500-internal.json', 'TRANSIENT'],
    ['503-unavailable.json', 'TRANSIENT'],
    ['400-bad-request.json', 'INVALID'],
    ['200-throttled.json', 'RATE_LIMITED'],
    ['200-max-cost-exceeded.json', 'INVALID'],
    ['200-graphql-validation.json', 'INVALID'],
  ])('maps the recorded answer %s to %s', (file, kind) => {
    expect(shopifyError(recorded(file)).kind).toBe(kind);
  });

  it('takes the wait of a 429 from Retry-After (seconds as Shopify sends them)', () => {
    expect(shopifyError(recorded('429-retry-after.json')).retryAfterMs).toBe(2_000);
    expect(shopifyError({ status: 429, headers: {} }).retryAfterMs).toBe(1_000);
  });

  it('derives the wait of THROTTLED from the bucket: (requested − available) / restoreRate', () => {
    // 752 requested, 352 available, 100 points/s → 4 s
    expect(shopifyError(recorded('200-throttled.json')).retryAfterMs).toBe(4_000);
  });

  it('calls a query that can never fit the bucket INVALID rather than retrying it forever', () => {
    const body = {
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
      extensions: {
        cost: {
          requestedQueryCost: 1500,
          throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 1000, restoreRate: 50 },
        },
      },
    };
    expect(shopifyError({ status: 200, body }).kind).toBe('INVALID');
  });

  it('maps mutation userErrors to INVALID, and to NOT_FOUND when that is their code', () => {
    const stale = recorded('200-user-errors-stale.json');
    const staleErrors = (stale.body as { data: { inventorySetQuantities: { userErrors: [] } } }).data
      .inventorySetQuantities.userErrors;
    expect(shopifyError({ status: 200, body: {}, userErrors: staleErrors }).kind).toBe('INVALID');
    const missing = recorded('200-user-errors-not-found.json');
    const missingErrors = (missing.body as { data: { orderCancel: { orderCancelUserErrors: [] } } }).data.orderCancel
      .orderCancelUserErrors;
    expect(shopifyError({ status: 200, body: {}, userErrors: missingErrors }).kind).toBe('NOT_FOUND');
  });

  it('treats no answer at all (refused, reset, our timeout) as TRANSIENT', () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    expect(shopifyError({ cause: timeout })).toMatchObject({
      kind: 'TRANSIENT',
      message: expect.stringContaining('timed out'),
    });
    expect(shopifyError({ cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }).kind).toBe('TRANSIENT');
  });

  it('treats an INTERNAL_SERVER_ERROR GraphQL error on HTTP 200 as TRANSIENT', () => {
    expect(
      shopifyError({
        status: 200,
        body: { errors: [{ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
      }).kind,
    ).toBe('TRANSIENT');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  it.each<[string | undefined, number | undefined]>([
    ['2.0', 2_000],
    ['0.25', 250],
    ['0', 0],
    ['Tue, 01 Dec 2026 00:00:03 GMT', 3_000],
    ['Mon, 30 Nov 2026 23:00:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('reads %p as %p ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});

describe('throttleWaitMs', () => {
  it('rounds up and never goes negative', () => {
    expect(throttleWaitMs(10, { maximumAvailable: 1000, currentlyAvailable: 3, restoreRate: 50 })).toBe(140);
    expect(throttleWaitMs(10, { maximumAvailable: 1000, currentlyAvailable: 7, restoreRate: 3 })).toBe(1_000);
    expect(throttleWaitMs(5, { maximumAvailable: 1000, currentlyAvailable: 9, restoreRate: 50 })).toBe(0);
    expect(throttleWaitMs(undefined, undefined)).toBe(1_000);
  });
});

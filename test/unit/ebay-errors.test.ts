import { describe, expect, it } from '@jest/globals';
import type { PlatformErrorKind } from '../../src/connectors/connector.js';
import { EBAY_DEFAULT_RETRY_AFTER_MS, ebayError, type EbayFailure } from '../../src/connectors/ebay/ebay-errors.js';

const errors = (errorId: number, message: string) => ({ errors: [{ errorId, domain: 'API_FULFILLMENT', message }] });

describe('ebayError: every eBay failure into the closed set', () => {
  it.each<[string, EbayFailure, PlatformErrorKind]>([
    ['no answer', { cause: new Error('ECONNREFUSED') }, 'TRANSIENT'],
    ['our timeout', { cause: Object.assign(new Error('aborted'), { name: 'TimeoutError' }) }, 'TRANSIENT'],
    ['an expired access token', { status: 401, body: errors(1001, 'Invalid access token') }, 'AUTH'],
    ['a missing scope', { status: 403, body: errors(1100, 'Insufficient permissions') }, 'AUTH'],
    ['a revoked refresh token', { status: 400, body: { error: 'invalid_grant' } }, 'AUTH'],
    ['a wrong client secret', { status: 401, body: { error: 'invalid_client' } }, 'AUTH'],
    ['an unknown order', { status: 404, body: errors(32100, 'Invalid Order Id') }, 'NOT_FOUND'],
    ['a throttle', { status: 429, headers: { 'retry-after': '3' } }, 'RATE_LIMITED'],
    ['a server error', { status: 500, body: errors(10001, 'System error') }, 'TRANSIENT'],
    ['a bad request', { status: 400, body: errors(30700, 'limit') }, 'INVALID'],
    ['a conflict nobody interpreted', { status: 409, body: errors(32500, 'conflict') }, 'INVALID'],
  ])('maps %s to its kind', (_what, failure, kind) => {
    expect(ebayError(failure).kind).toBe(kind);
  });

  it('takes the wait of a 429 from Retry-After, or a minute when eBay gives none', () => {
    expect(ebayError({ status: 429, headers: { 'retry-after': '3' } }).retryAfterMs).toBe(3_000);
    expect(ebayError({ status: 429, headers: {} }).retryAfterMs).toBe(EBAY_DEFAULT_RETRY_AFTER_MS);
  });

  it("quotes eBay's error text but nothing it was not given", () => {
    const error = ebayError({ status: 400, body: errors(32200, 'Invalid line item id: 9') });
    expect(error.message).toContain('32200 Invalid line item id: 9');
  });
});

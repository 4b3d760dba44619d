import { describe, expect, it } from '@jest/globals';
import {
  amazonError,
  DEFAULT_AMAZON_RETRY_AFTER_MS,
  rateLimitWaitMs,
} from '../../src/connectors/amazon/amazon-errors.js';

const op = 'searchOrders';

describe('amazonError: every Amazon failure to one PlatformError kind', () => {
  it.each([
    [401, {}, 'AUTH'],
    [403, { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] }, 'AUTH'],
    [400, { error: 'invalid_grant', error_description: 'bad refresh token' }, 'AUTH'],
    [400, { errors: [{ code: 'InvalidInput', message: 'maxResultsPerPage' }] }, 'INVALID'],
    [404, { errors: [{ code: 'NotFound', message: 'no order' }] }, 'NOT_FOUND'],
    [413, {}, 'INVALID'],
    [429, { errors: [{ code: 'QuotaExceeded', message: 'quota' }] }, 'RATE_LIMITED'],
    [500, { errors: [{ code: 'InternalFailure', message: 'x' }] }, 'TRANSIENT'],
    [503, {}, 'TRANSIENT'],
  ])('HTTP %i %j → %s', (status, body, kind) => {
    expect(amazonError({ operation: op, status, body }).kind).toBe(kind);
  });

  it('says TRANSIENT, timed out, when our timeout cut the call', () => {
    const error = amazonError({
      operation: op,
      cause: { code: 'ECONNABORTED', message: 'timeout of 2000ms exceeded' },
    });
    expect(error.kind).toBe('TRANSIENT');
    expect(error.message).toContain('timed out');
  });

  it("keeps Amazon's error code and message in the text", () => {
    const error = amazonError({
      operation: op,
      status: 400,
      body: { errors: [{ code: 'InvalidInput', message: 'Invalid paginationToken' }] },
    });
    expect(error.message).toBe('Amazon searchOrders rejected the request (400): InvalidInput Invalid paginationToken');
  });
});

describe('rateLimitWaitMs after a 429', () => {
  it('waits for one token at the rate x-amzn-RateLimit-Limit announces', () => {
    expect(rateLimitWaitMs({ 'x-amzn-ratelimit-limit': '0.0056' }, 0)).toBe(178572);
    expect(rateLimitWaitMs({ 'x-amzn-ratelimit-limit': '2.0' }, 0)).toBe(500);
  });

  it('prefers Retry-After when Amazon sends one', () => {
    expect(rateLimitWaitMs({ 'retry-after': '7', 'x-amzn-ratelimit-limit': '0.0056' }, 0)).toBe(7000);
  });

  it('waits a minute when neither header is usable', () => {
    expect(rateLimitWaitMs({ 'x-amzn-ratelimit-limit': 'n/a' }, 0)).toBe(DEFAULT_AMAZON_RETRY_AFTER_MS);
    expect(rateLimitWaitMs({}, 0)).toBe(DEFAULT_AMAZON_RETRY_AFTER_MS);
  });
});

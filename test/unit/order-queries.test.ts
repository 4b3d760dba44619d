import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { DomainError } from '../../src/domain/errors.js';
import { decodeOrderCursor, encodeOrderCursor } from '../../src/domain/orders/order-sort.js';
import type { Order } from '../../src/domain/orders/order.entity.js';
import { containsPattern } from '../../src/domain/text-search.js';

const order = {
  id: '6f1c1a52-3c1e-4d8e-9a43-8b1f1c2d3e4f',
  createdAt: new Date('2026-03-01T08:00:00.123Z'),
  updatedAt: new Date('2026-03-02T09:30:00.000Z'),
  totalAmount: 123_456,
} as Order;

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.details.field;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('order list cursors', () => {
  it('round-trips the sort key and id for every sort', () => {
    expect(decodeOrderCursor('CREATED_AT_DESC', encodeOrderCursor('CREATED_AT_DESC', order))).toEqual({
      value: order.createdAt,
      id: order.id,
    });
    expect(decodeOrderCursor('CREATED_AT_ASC', encodeOrderCursor('CREATED_AT_ASC', order))).toEqual({
      value: order.createdAt,
      id: order.id,
    });
    expect(decodeOrderCursor('UPDATED_AT_DESC', encodeOrderCursor('UPDATED_AT_DESC', order))).toEqual({
      value: order.updatedAt,
      id: order.id,
    });
    expect(decodeOrderCursor('TOTAL_DESC', encodeOrderCursor('TOTAL_DESC', order))).toEqual({
      value: 123_456,
      id: order.id,
    });
  });

  it('refuses a cursor made for another sort, naming "after"', () => {
    const cursor = encodeOrderCursor('TOTAL_DESC', order);
    expect(fieldOf(() => decodeOrderCursor('CREATED_AT_DESC', cursor))).toBe('after');
  });

  it.each([
    '',
    'garbage',
    Buffer.from('["TOTAL_DESC","abc","x"]').toString('base64url'),
    Buffer.from('{"a":1}').toString('base64url'),
  ])('refuses the made-up cursor %j', (cursor) => {
    expect(fieldOf(() => decodeOrderCursor('TOTAL_DESC', cursor))).toBe('after');
  });
});

describe('search patterns', () => {
  it('escapes LIKE wildcards and the escape character so they match themselves', () => {
    expect(containsPattern('search', ' 50%_off\\ ')).toBe('%50\\%\\_off\\\\%');
  });

  it('means no filter for an empty search, and refuses more than 200 characters', () => {
    expect(containsPattern('search', '   ')).toBeNull();
    expect(containsPattern('search', null)).toBeNull();
    expect(fieldOf(() => containsPattern('filter.search', 'x'.repeat(201)))).toBe('filter.search');
  });
});

describe('ORDER_HOLD_TOTAL_ABOVE', () => {
  it('is off by default and read as integer minor units when set', () => {
    expect(loadConfig({}).orders.holdTotalAbove).toBeNull();
    expect(loadConfig({ ORDER_HOLD_TOTAL_ABOVE: '500000' }).orders.holdTotalAbove).toBe(500_000);
    expect(loadConfig({ ORDER_HOLD_TOTAL_ABOVE: '0' }).orders.holdTotalAbove).toBe(0);
  });

  it.each(['-1', '12.5', 'lots'])('refuses %s', (value) => {
    expect(() => loadConfig({ ORDER_HOLD_TOTAL_ABOVE: value })).toThrow(ConfigError);
  });
});

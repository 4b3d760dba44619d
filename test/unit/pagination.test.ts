import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../src/domain/errors.js';
import { decodeCursor, encodeCursor, validatePageRequest } from '../../src/domain/pagination.js';

describe('pagination', () => {
  it('round-trips a keyset cursor', () => {
    const position = { createdAt: new Date('2026-11-27T10:00:00.123Z'), id: '6f1c3d1e-1b2a-4c3d-8e9f-0a1b2c3d4e5f' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    '',
    'nonsense',
    Buffer.from('2026-01-01T00:00:00Z').toString('base64url'),
    Buffer.from('x|y|z').toString('base64url'),
  ])('rejects the cursor %p as BAD_USER_INPUT', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(DomainError);
  });

  it.each([
    [undefined, 'first: is required'],
    [0, 'first: must be from 1 to 100, got 0'],
    [101, 'first: must be from 1 to 100, got 101'],
    [1.5, 'first: must be from 1 to 100, got 1.5'],
  ])('refuses first=%p', (first, message) => {
    expect(() => validatePageRequest(first, null)).toThrow(message);
  });

  it('accepts 1 to 100', () => {
    expect(validatePageRequest(1, null)).toEqual({ first: 1, after: null });
    expect(validatePageRequest(100, 'c')).toEqual({ first: 100, after: 'c' });
  });
});

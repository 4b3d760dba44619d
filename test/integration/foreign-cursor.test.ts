import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/** Cursors are opaque, but clients pass them around: one from another list must be refused, not crash. */
let t: TestHub;

beforeAll(async () => {
  t = await startTestHub('api');
});
afterAll(async () => {
  await t.stop();
});

// What a stockMovements page returns as a cursor: its rows have numeric ids, not UUIDs.
const stockMovementCursor = Buffer.from('2026-12-06T21:07:47.774Z|206', 'utf8').toString('base64url');

describe('a cursor from another connection', () => {
  it.each(['apiKeys', 'products', 'customers'])(
    'answers BAD_USER_INPUT, not INTERNAL, for a stock-movement cursor passed to %s',
    async (field) => {
      const res = await gql(t.base, `query($after: String) { ${field}(first: 5, after: $after) { totalCount } }`, {
        key: t.adminKey,
        variables: { after: stockMovementCursor },
      });
      expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'after' });
    },
  );
});

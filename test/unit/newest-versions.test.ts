import { describe, expect, it } from '@jest/globals';
import type { ChannelOrder } from '../../src/domain/channels/channel-order.js';
import { newestVersions, type OrderVersion } from '../../src/domain/webhooks/newest-versions.js';
import { seeded, shuffle } from '../support/commerce.js';

function version(
  externalId: string,
  updatedAt: string,
  deliveryId: string,
  extra: { triggeredAt?: string | null; receivedAt?: string } = {},
): OrderVersion {
  const order: ChannelOrder = {
    externalId,
    externalName: null,
    updatedAt: new Date(updatedAt),
    placedAt: new Date('2026-12-01T00:00:00Z'),
    currency: 'USD',
    email: null,
    customerName: null,
    phone: null,
    shippingAddress: null,
    billingAddress: null,
    lines: [],
    shippingAmount: 0,
    taxAmount: 0,
    discountAmount: 0,
    totalAmount: 0,
    paidAmount: 0,
    cancelledAt: null,
    cancelReason: null,
    refunds: [],
    note: null,
  };
  return {
    order,
    delivery: {
      id: `row-${deliveryId}`,
      deliveryId,
      triggeredAt: extra.triggeredAt ? new Date(extra.triggeredAt) : null,
      receivedAt: new Date(extra.receivedAt ?? '2026-12-07T00:00:00Z'),
    },
  };
}

describe('newest version per order in a batch of deliveries', () => {
  it('keeps the newest updatedAt per external id, whatever the arrival order (seeded shuffles)', () => {
    const versions: OrderVersion[] = [];
    for (let o = 0; o < 30; o++)
      for (let v = 0; v < 4; v++)
        versions.push(version(`gid://shopify/Order/${o}`, `2026-12-07T10:0${v}:00Z`, `o${o}v${v}`));
    for (let seed = 1; seed <= 20; seed++) {
      const { newest, superseded } = newestVersions(shuffle([...versions], seeded(seed)));
      expect(newest.map((n) => n.delivery.deliveryId).sort()).toEqual(
        Array.from({ length: 30 }, (_, o) => `o${o}v3`).sort(),
      );
      expect(superseded).toHaveLength(90);
      for (const s of superseded) {
        expect(s.by.order.externalId).toBe(s.version.order.externalId);
        expect(s.by.delivery.deliveryId).toMatch(/v3$/);
      }
    }
  });

  it('breaks an updatedAt tie by when the platform says it happened, then by arrival', () => {
    const at = '2026-12-07T10:00:00Z';
    const a = version('X', at, 'early', { triggeredAt: '2026-12-07T10:00:01Z', receivedAt: '2026-12-07T11:00:00Z' });
    const b = version('X', at, 'late', { triggeredAt: '2026-12-07T10:00:02Z', receivedAt: '2026-12-07T10:30:00Z' });
    expect(newestVersions([b, a]).newest.map((n) => n.delivery.deliveryId)).toEqual(['late']);
    expect(newestVersions([a, b]).newest.map((n) => n.delivery.deliveryId)).toEqual(['late']);
    const c = version('Y', at, 'first-in', { receivedAt: '2026-12-07T10:00:00Z' });
    const d = version('Y', at, 'second-in', { receivedAt: '2026-12-07T10:00:05Z' });
    expect(newestVersions([d, c]).newest.map((n) => n.delivery.deliveryId)).toEqual(['second-in']);
  });

  it('keeps one version of every order in the batch, however old', () => {
    const { newest } = newestVersions([
      version('1', '2026-12-07T10:00:00Z', 'a'),
      version('2', '2026-12-07T09:00:00Z', 'b'),
    ]);
    expect(newest.map((n) => n.delivery.deliveryId).sort()).toEqual(['a', 'b']);
  });
});

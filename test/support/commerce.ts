import { createProduct } from '../../src/domain/catalog/catalog.service.js';
import type { OperationContext } from '../../src/domain/context.js';
import { receiveStock } from '../../src/domain/orders/stock-change.service.js';
import { createLocation } from '../../src/domain/inventory/location.service.js';
import { manualPaymentProvider } from '../../src/domain/payments/payment-provider.js';
import type { PlaceOrderDeps } from '../../src/domain/orders/place-order.service.js';
import { seededRandom } from '../../src/connectors/shopify/simulator/sim-faults.js';

export const ADDRESS = { line1: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701', countryCode: 'US' };

export const orderDeps: PlaceOrderDeps = { payments: manualPaymentProvider, policy: { holdTotalAbove: null } };

/** A small seeded PRNG (mulberry32), so a failing concurrency round can be replayed from its seed. */
export const seeded = seededRandom;

export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export async function createSku(
  ctx: OperationContext,
  sku: string,
  priceAmount = 1000,
  currency = 'USD',
): Promise<string> {
  const { variants } = await createProduct(ctx, {
    title: `Product ${sku}`,
    variants: [{ sku, priceAmount, currency }],
  });
  return variants[0]!.id;
}

export async function createLocations(
  ctx: OperationContext,
  codes: {
    code: string;
    countryCode?: string;
    region?: string;
    latitude?: number;
    longitude?: number;
    priority?: number;
    channelIds?: string[];
  }[],
) {
  const out: Record<string, string> = {};
  for (const c of codes) {
    const location = await createLocation(ctx, {
      code: c.code,
      name: `Warehouse ${c.code}`,
      address: { ...ADDRESS, countryCode: c.countryCode ?? 'US', region: c.region ?? 'TX' },
      latitude: c.latitude ?? null,
      longitude: c.longitude ?? null,
      priority: c.priority ?? 100,
      channelIds: c.channelIds ?? [],
    });
    out[c.code] = location.id;
  }
  return out;
}

export async function stock(ctx: OperationContext, sku: string, locationId: string, quantity: number): Promise<void> {
  if (quantity > 0) await receiveStock(ctx, { sku, locationId, quantity });
}

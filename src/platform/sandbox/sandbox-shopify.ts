import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { startOrderTrickle } from '../../connectors/shopify/simulator/order-trickle.js';
import { ShopifySimulator } from '../../connectors/shopify/simulator/shopify-simulator.js';
import { STARTER_LOCATIONS, STARTER_STOCK } from '../../connectors/shopify/simulator/starter-catalogue.js';
import { SYSTEM_PRINCIPAL } from '../../domain/auth/principal.js';
import { createProduct, variantBySku } from '../../domain/catalog/catalog.service.js';
import { mapListing } from '../../domain/channels/channel-listing.service.js';
import { findChannel } from '../../domain/channels/channel-queries.js';
import { connectChannel, updateChannel } from '../../domain/channels/channel.service.js';
import type { OperationContext } from '../../domain/context.js';
import { readLevels } from '../../domain/inventory/stock-ledger.js';
import { createLocation, listLocations } from '../../domain/inventory/location.service.js';
import { listOrders } from '../../domain/orders/order-list.service.js';
import { receiveStock } from '../../domain/orders/stock-change.service.js';
import { shipWithDemoTracking } from './demo-shipping.js';
import { exists } from './exists.js';

/**
 * The development sandbox: a simulated Shopify store in this process, connected as a real
 * channel, so `npm start` shows orders arrive (webhooks), get allocated (ingestion), ship (a
 * demo fulfiller using the shipment operations) and push tracking back (fulfilment-push job).
 * Composition only: every hub change goes through the domain operations an admin would use.
 */

export const SANDBOX_CHANNEL_ID = 'sandbox-shopify';

/** The webhook topics a Shopify app of the hub subscribes to (the sandbox subscribes the same). */
const SANDBOX_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled', 'refunds/create'];

/** Hub locations, one per simulated Shopify location, serving only the sandbox channel. */
const HUB_LOCATIONS = [
  {
    code: 'SANDBOX-LDN',
    name: 'Sandbox warehouse London',
    address: { line1: '1 Demo Street', city: 'London', postalCode: 'E1 6AN', countryCode: 'GB' },
    latitude: 51.5203,
    longitude: -0.0716,
    priority: 10,
  },
  {
    code: 'SANDBOX-MAN',
    name: 'Sandbox warehouse Manchester',
    address: { line1: '2 Example Road', city: 'Manchester', postalCode: 'M1 1AE', countryCode: 'GB' },
    latitude: 53.4794,
    longitude: -2.2453,
    priority: 20,
  },
];

/** A level at or below this is topped up again to its starting figure, so the demo never runs dry. */
const RESTOCK_BELOW = 3;

export interface SandboxOptions {
  orm: MikroORM;
  logger: Logger;
  encryptionKey: Buffer;
  /** This hub's own base URL (`http://127.0.0.1:<port>`), where the simulator sends webhooks. */
  hubBaseUrl: string;
  orderEveryMs: number;
  shipAfterMs: number;
  /** How often the demo fulfiller looks for work (default 1 s). */
  pollMs?: number;
}

export interface Sandbox {
  simulatorUrl: string;
  stop(): Promise<void>;
}

export async function startSandboxShopify(options: SandboxOptions): Promise<Sandbox> {
  const { orm, logger } = options;
  const log = logger.child({ sandbox: SANDBOX_CHANNEL_ID });
  const ctx = (): OperationContext => ({
    actor: SYSTEM_PRINCIPAL,
    requestId: 'sandbox',
    em: orm.em.fork(),
    logger: log,
  });

  // Ids grow with the clock (10 a second since 2026), so a restarted store never reuses an order id
  // the hub holds from an earlier start (ingestion would take it for a new version of that order).
  const firstId = Math.max(1000, Math.floor((Date.now() - Date.UTC(2026, 0, 1)) / 100));
  const sim = new ShopifySimulator({ seed: Date.now() % 2 ** 31, firstId });
  const simVariants = new Map<string, string>();
  const simItems = new Map<string, string>();
  for (const item of STARTER_STOCK) {
    item.available.forEach((n, i) => {
      const ids = sim.setStock(item.sku, STARTER_LOCATIONS[i]!, n);
      simVariants.set(item.sku, ids.variantId);
      simItems.set(item.sku, ids.inventoryItemId);
    });
  }
  const simulatorUrl = await sim.start();
  let stopTrickle = () => {};
  let fulfiller: NodeJS.Timeout | undefined;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const stop = async () => {
    stopped = true;
    stopTrickle();
    if (fulfiller) clearInterval(fulfiller);
    await busy.catch(() => undefined);
    await sim.stop();
  };

  try {
    // The channel: connected once, then pointed at this start's simulator (its port changes).
    const channelInput = {
      endpoint: simulatorUrl,
      credentials: { shopDomain: sim.shopDomain, accessToken: sim.accessToken, webhookSecret: sim.webhookSecret },
    };
    const deps = { encryptionKey: options.encryptionKey, httpsOnlyEndpoints: false };
    if (await exists(() => findChannel(ctx(), SANDBOX_CHANNEL_ID))) {
      await updateChannel(ctx(), deps, SANDBOX_CHANNEL_ID, { ...channelInput, enabled: true });
    } else {
      await connectChannel(ctx(), deps, {
        kind: 'shopify',
        id: SANDBOX_CHANNEL_ID,
        name: 'Sandbox Shopify store',
        ...channelInput,
      });
    }

    // The catalogue, locations and stock in the hub (only what is missing).
    const variantIds = new Map<string, string>();
    for (const item of STARTER_STOCK) {
      const found = await exists(() => variantBySku(ctx(), item.sku));
      const variant =
        found ||
        (
          await createProduct(ctx(), {
            title: item.title,
            variants: [
              { sku: item.sku, title: item.title, priceAmount: Math.round(Number(item.price) * 100), currency: 'USD' },
            ],
          })
        ).variants[0]!;
      variantIds.set(item.sku, variant.id);
    }
    const known = new Map((await listLocations(ctx())).map((l) => [l.code, l.id]));
    const locationIds: string[] = [];
    for (const spec of HUB_LOCATIONS) {
      const id =
        known.get(spec.code) ?? (await createLocation(ctx(), { ...spec, channelIds: [SANDBOX_CHANNEL_ID] })).id;
      locationIds.push(id);
    }
    const codeOf = new Map(locationIds.map((id, i) => [id, HUB_LOCATIONS[i]!.code]));
    const restock = async () => {
      const levels = await readLevels(orm.em.fork(), [...variantIds.values()]);
      for (const item of STARTER_STOCK) {
        for (const [i, locationId] of locationIds.entries()) {
          const target = item.available[i]!;
          const level = levels.find((l) => l.variantId === variantIds.get(item.sku) && l.locationId === locationId);
          const free = level ? level.onHand - level.reserved : 0;
          if (target === 0 || free > RESTOCK_BELOW) continue;
          const quantity = target - free;
          if (quantity <= 0) continue;
          await receiveStock(ctx(), { sku: item.sku, locationId, quantity, reason: 'sandbox restock' });
          log.info(`sandbox: restocked ${quantity}× ${item.sku} at ${HUB_LOCATIONS[i]!.code}`);
        }
      }
    };
    await restock();

    // Listings: each SKU is the simulator's variant; stock is pushed to its first location.
    for (const item of STARTER_STOCK) {
      await mapListing(ctx(), {
        channelId: SANDBOX_CHANNEL_ID,
        sku: item.sku,
        externalVariantId: simVariants.get(item.sku)!,
        externalInventoryItemId: simItems.get(item.sku)!,
        externalLocationId: STARTER_LOCATIONS[0],
      });
    }

    sim.subscribeWebhooks(`${options.hubBaseUrl}/webhooks/${SANDBOX_CHANNEL_ID}`, SANDBOX_TOPICS);
    stopTrickle = startOrderTrickle(sim, {
      catalogue: STARTER_STOCK,
      everyMs: options.orderEveryMs,
      seed: Date.now() % 2 ** 31,
    });

    // The story, one line per step, and the demo fulfiller.
    const seen = new Map<string, string>();
    const reported = new Set<string>();
    const startedAt = new Date(Date.now() - 60_000);
    const tick = async () => {
      const page = await listOrders(
        ctx(),
        { filter: { channelId: SANDBOX_CHANNEL_ID, updatedFrom: startedAt }, first: 100, orderBy: 'UPDATED_AT_DESC' },
        { withTotal: false },
      );
      for (const order of page.items) {
        const label = order.externalName ?? order.number;
        const before = seen.get(order.id);
        if (before === undefined) {
          log.info(
            `sandbox: order ${label} arrived from Shopify, ${order.currency} ${(Number(order.totalAmount) / 100).toFixed(2)}`,
          );
        }
        if (before !== order.status) {
          seen.set(order.id, order.status);
          if (order.status === 'ALLOCATED') log.info(`sandbox: order ${label} allocated`);
          else if (order.status === 'ON_HOLD') log.info(`sandbox: order ${label} is on hold (see its timeline)`);
          else if (order.status === 'BACKORDERED') log.info(`sandbox: order ${label} backordered`);
        }
        const due = Date.now() - new Date(order.updatedAt).getTime() >= options.shipAfterMs;
        if (order.status === 'ALLOCATED' && due && !stopped) await ship(order.id, label);
      }
      for (const f of sim.state.fulfillments.values()) {
        if (reported.has(f.id)) continue;
        reported.add(f.id);
        const tracking = f.trackingInfo.map((t) => `${t.company ?? ''} ${t.number ?? ''}`.trim()).join(', ');
        log.info(
          `sandbox: tracking pushed to Shopify: order ${sim.state.orders.get(f.orderId)?.name ?? f.orderId} fulfilled, ${tracking}`,
        );
      }
      await restock();
    };
    const ship = async (orderId: string, label: string) => {
      for (const { locationId, trackingNumber } of await shipWithDemoTracking(ctx(), orderId, 'Sandbox Post'))
        log.info(
          `sandbox: order ${label} shipped from ${codeOf.get(locationId) ?? 'a sandbox warehouse'}, Sandbox Post ${trackingNumber}`,
        );
    };
    fulfiller = setInterval(() => {
      busy = busy.then(() =>
        stopped
          ? undefined
          : tick().catch((err: Error) => log.warn({ err: err.message }, 'sandbox: fulfiller step failed')),
      );
    }, options.pollMs ?? 1_000);
    fulfiller.unref();

    log.info(
      `sandbox: simulated Shopify store ${sim.shopDomain} at ${simulatorUrl} connected as channel ${SANDBOX_CHANNEL_ID}; ` +
        `an order about every ${(options.orderEveryMs / 1000).toFixed(1)} s (SANDBOX_SHOPIFY=off turns this off)`,
    );
    return { simulatorUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

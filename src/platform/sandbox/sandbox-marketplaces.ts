import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { AmazonSimulator } from '../../connectors/amazon/simulator/amazon-simulator.js';
import { EbaySimulator } from '../../connectors/ebay/simulator/ebay-simulator.js';
import { STARTER_STOCK } from '../../connectors/shopify/simulator/starter-catalogue.js';
import { SYSTEM_PRINCIPAL } from '../../domain/auth/principal.js';
import type { ChannelSyncPort } from '../../domain/channels/channel-deps.js';
import { mapListing } from '../../domain/channels/channel-listing.service.js';
import { findChannel } from '../../domain/channels/channel-queries.js';
import { connectChannel, updateChannel } from '../../domain/channels/channel.service.js';
import type { OperationContext } from '../../domain/context.js';
import { listLocations, updateLocation } from '../../domain/inventory/location.service.js';
import { listOrders } from '../../domain/orders/order-list.service.js';
import { shipWithDemoTracking } from './demo-shipping.js';
import { exists } from './exists.js';
import { sandboxAmazonOrder, sandboxEbayOrder, type SandboxLine } from './marketplace-orders.js';

/**
 * The sandbox's other two marketplaces: a simulated Amazon seller and eBay seller in this
 * process, connected as real channels that sell the same SKUs from the same warehouses as the
 * sandbox Shopify store, so `npm start` shows one stock shared by three marketplaces. Each
 * places an order now and then; the hub pulls it at once (as a notification would make it do),
 * allocates it from the shared stock, the demo fulfiller ships it, and the tracking goes back to
 * the marketplace. Composition only: hub changes go through the domain operations.
 */

export const SANDBOX_AMAZON_ID = 'sandbox-amazon';
export const SANDBOX_EBAY_ID = 'sandbox-ebay';

/** The Shopify sandbox's warehouses (sandbox-shopify.ts), which these channels share. */
const SHARED_LOCATIONS = ['SANDBOX-LDN', 'SANDBOX-MAN'];

/**
 * searchOrders refills one call every ~3 minutes on Amazon; the sandbox seller announces a
 * faster rate so a demo order shows within seconds (the hub plans its pulls by what it is told).
 */
const SANDBOX_SEARCH_ORDERS_PLAN = { rate: 0.5, burst: 20 };

export interface MarketplaceSandboxOptions {
  orm: MikroORM;
  logger: Logger;
  encryptionKey: Buffer;
  /** Asks for a pull of a channel now (what a marketplace notification leads to). */
  sync: ChannelSyncPort;
  /** Each marketplace places an order about every this long (twice the Shopify store's pace). */
  orderEveryMs: number;
  shipAfterMs: number;
  pollMs?: number;
}

export interface MarketplaceSandbox {
  amazon: AmazonSimulator;
  ebay: EbaySimulator;
  stop(): Promise<void>;
}

export async function startSandboxMarketplaces(options: MarketplaceSandboxOptions): Promise<MarketplaceSandbox> {
  const { orm } = options;
  const log = options.logger.child({ sandbox: 'marketplaces' });
  const ctx = (): OperationContext => ({
    actor: SYSTEM_PRINCIPAL,
    requestId: 'sandbox',
    em: orm.em.fork(),
    logger: log,
  });

  const amazon = new AmazonSimulator({ usagePlans: { searchOrders: SANDBOX_SEARCH_ORDERS_PLAN } });
  const ebayGrant = {
    clientId: 'Sandbox-hub-SBX-0123456789-abcdef01',
    clientSecret: `SBX-${randomBytes(12).toString('hex')}`,
    refreshToken: `v^1.1#sandbox-${randomBytes(8).toString('hex')}`,
  };
  const ebay = new EbaySimulator({ ...ebayGrant, refreshTokens: [ebayGrant.refreshToken] });
  const [amazonUrl, ebayUrl] = [await amazon.start(), await ebay.start()];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const stop = async () => {
    stopped = true;
    if (timer) clearInterval(timer);
    await busy.catch(() => undefined);
    await Promise.all([amazon.stop(), ebay.stop()]);
  };

  try {
    const deps = { encryptionKey: options.encryptionKey, httpsOnlyEndpoints: false };
    const channels = [
      {
        id: SANDBOX_AMAZON_ID,
        kind: 'amazon' as const,
        name: 'Sandbox Amazon seller',
        endpoint: amazonUrl,
        credentials: {
          clientId: amazon.clientId,
          clientSecret: amazon.clientSecret,
          refreshToken: amazon.refreshToken,
          sellerId: amazon.sellerId,
          marketplaceIds: ['ATVPDKIKX0DER'],
        },
      },
      {
        id: SANDBOX_EBAY_ID,
        kind: 'ebay' as const,
        name: 'Sandbox eBay seller',
        endpoint: ebayUrl,
        credentials: { ...ebayGrant, verificationToken: `sandbox-verification-${randomBytes(12).toString('hex')}` },
      },
    ];
    // Connected once, then pointed at this start's simulators (their ports and secrets change).
    for (const c of channels) {
      if (await exists(() => findChannel(ctx(), c.id)))
        await updateChannel(ctx(), deps, c.id, { endpoint: c.endpoint, credentials: c.credentials, enabled: true });
      else await connectChannel(ctx(), deps, c);
    }

    // The Shopify sandbox's warehouses serve these channels too: one stock, three marketplaces.
    for (const location of await listLocations(ctx())) {
      if (!SHARED_LOCATIONS.includes(location.code)) continue;
      const ids = new Set([...location.channelIds, SANDBOX_AMAZON_ID, SANDBOX_EBAY_ID]);
      if (ids.size !== location.channelIds.length) await updateLocation(ctx(), location.id, { channelIds: [...ids] });
    }

    // Listings by SKU: Amazon's seller SKU and eBay's inventory item are the SKU itself.
    for (const item of STARTER_STOCK) {
      amazon.listings.update(item.sku, 'PRODUCT', {});
      ebay.state.inventory.set(item.sku, { sku: item.sku, quantity: 0, offerIds: [] });
      await mapListing(ctx(), {
        channelId: SANDBOX_AMAZON_ID,
        sku: item.sku,
        externalVariantId: item.sku,
        externalInventoryItemId: item.sku,
        externalLocationId: 'DEFAULT',
      });
      await mapListing(ctx(), {
        channelId: SANDBOX_EBAY_ID,
        sku: item.sku,
        externalVariantId: item.sku,
        externalInventoryItemId: item.sku,
        externalLocationId: 'EBAY_US',
      });
    }

    let n = 0;
    let lastOrderAt = 0;
    const placeOrder = async () => {
      n++;
      const item = STARTER_STOCK[n % STARTER_STOCK.length]!;
      const lines: SandboxLine[] = [{ item, quantity: 1 + (n % 2) }];
      const at = new Date();
      if (n % 2 === 1) {
        const order = sandboxAmazonOrder(n, lines, at);
        amazon.addOrders([order]);
        log.info(`sandbox: Amazon order ${order.orderId} placed (${lines[0]!.quantity}× ${item.sku})`);
        await options.sync.requestSync(SANDBOX_AMAZON_ID, null);
      } else {
        const order = sandboxEbayOrder(n, lines, at);
        ebay.addOrder(order);
        log.info(`sandbox: eBay order ${order.orderId} placed (${lines[0]!.quantity}× ${item.sku})`);
        await options.sync.requestSync(SANDBOX_EBAY_ID, null);
      }
    };

    const seen = new Map<string, string>();
    const reported = new Set<string>();
    const startedAt = new Date(Date.now() - 60_000);
    const platformName = (channelId: string) => (channelId === SANDBOX_AMAZON_ID ? 'Amazon' : 'eBay');
    const tick = async () => {
      if (Date.now() - lastOrderAt >= options.orderEveryMs) {
        lastOrderAt = Date.now();
        await placeOrder();
      }
      for (const channelId of [SANDBOX_AMAZON_ID, SANDBOX_EBAY_ID]) {
        const page = await listOrders(
          ctx(),
          { filter: { channelId, updatedFrom: startedAt }, first: 100, orderBy: 'UPDATED_AT_DESC' },
          { withTotal: false },
        );
        for (const order of page.items) {
          const label = order.externalName ?? order.externalId ?? order.number;
          const before = seen.get(order.id);
          if (before === undefined) log.info(`sandbox: order ${label} arrived from ${platformName(channelId)}`);
          if (before !== order.status) {
            seen.set(order.id, order.status);
            if (order.status === 'ALLOCATED') log.info(`sandbox: order ${label} allocated from the shared stock`);
            else if (order.status === 'BACKORDERED') log.info(`sandbox: order ${label} backordered`);
          }
          const due = Date.now() - new Date(order.updatedAt).getTime() >= options.shipAfterMs;
          if (order.status === 'ALLOCATED' && due && !stopped) await ship(order.id, label);
        }
      }
      for (const [orderId, packages] of amazon.orders.packages) {
        for (const p of packages) {
          if (reported.has(`a:${p.packageReferenceId}`)) continue;
          reported.add(`a:${p.packageReferenceId}`);
          log.info(`sandbox: tracking pushed to Amazon: order ${orderId} confirmed shipped, ${p.trackingNumber}`);
        }
      }
      for (const [orderId, fulfillments] of ebay.state.fulfillments) {
        for (const f of fulfillments) {
          if (reported.has(`e:${f.fulfillmentId}`)) continue;
          reported.add(`e:${f.fulfillmentId}`);
          log.info(`sandbox: tracking pushed to eBay: order ${orderId} fulfilled, ${f.trackingNumber}`);
        }
      }
    };
    const ship = async (orderId: string, label: string) => {
      for (const { trackingNumber } of await shipWithDemoTracking(ctx(), orderId, 'USPS'))
        log.info(`sandbox: order ${label} shipped, USPS ${trackingNumber}`);
    };
    timer = setInterval(() => {
      busy = busy.then(() =>
        stopped
          ? undefined
          : tick().catch((err: Error) => log.warn({ err: err.message }, 'sandbox: marketplace step failed')),
      );
    }, options.pollMs ?? 1_000);
    timer.unref();

    log.info(
      `sandbox: simulated Amazon seller ${amazon.sellerId} at ${amazonUrl} and eBay seller at ${ebayUrl} connected as ` +
        `channels ${SANDBOX_AMAZON_ID} and ${SANDBOX_EBAY_ID}, sharing the sandbox warehouses' stock`,
    );
    return { amazon, ebay, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

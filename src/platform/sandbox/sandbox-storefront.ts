import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from 'pino';
import type { EasyPostSimulator } from '../../connectors/carriers/easypost/simulator/easypost-simulator.js';
import { SYSTEM_PRINCIPAL } from '../../domain/auth/principal.js';
import { createProduct, variantBySku } from '../../domain/catalog/catalog.service.js';
import { DIRECT_CHANNEL_ID } from '../../domain/channels/channel.entity.js';
import type { OperationContext } from '../../domain/context.js';
import { createLocation, listLocations } from '../../domain/inventory/location.service.js';
import { readLevels } from '../../domain/inventory/stock-ledger.js';
import { createShipment } from '../../domain/orders/lifecycle/create-shipment.js';
import { Order } from '../../domain/orders/order.entity.js';
import { placeOrder, type PlaceOrderDeps } from '../../domain/orders/place-order.service.js';
import { receiveStock } from '../../domain/orders/stock-change.service.js';
import { cardPaymentsOfOrders } from '../../domain/payments/card-payment-view.js';
import { buyShippingLabel, type ShippingDeps } from '../../domain/shipping/buy-shipping-label.js';
import { labelsOfShipments } from '../../domain/shipping/shipping-query.js';
import {
  STOREFRONT_CARDS,
  STOREFRONT_CUSTOMERS,
  STOREFRONT_ITEMS,
  STOREFRONT_LOCATION,
} from './storefront-catalogue.js';
import { exists } from './exists.js';

/**
 * The sandbox's own storefront: direct orders paid by card, placed through the same domain
 * operation `placeOrder` serves, so a newcomer sees the card story end to end — authorised by
 * the payments job (Stripe), allocated, a label bought by rule (EasyPost), shipped and captured
 * when the carrier's first scan arrives, delivered — with one log line per step. The carrier's
 * scans are the EasyPost simulator's signed `tracker.updated` webhooks, which this fulfiller
 * asks it to send; with a real EasyPost account (no simulator) it stops at the label.
 * Composition only: every hub change goes through operations an admin or a storefront would use.
 */

export interface StorefrontOptions {
  orm: MikroORM;
  logger: Logger;
  orders: PlaceOrderDeps;
  shipping: ShippingDeps;
  /** The simulator whose trackers the fulfiller advances; null when labels come from a real account. */
  easypost: EasyPostSimulator | null;
  orderEveryMs: number;
  /** How long after allocation a label is bought, and after the first scan the parcel is delivered. */
  shipAfterMs: number;
  /** How often the fulfiller looks for work (default 1 s). */
  pollMs?: number;
}

export interface Storefront {
  stop(): Promise<void>;
}

/** A level at or below this is topped up again, so the demo never runs dry. */
const RESTOCK_BELOW = 3;

/** Where one storefront order is in its story (the hub holds the truth; this is what was told). */
interface Tracked {
  label: string;
  status: string;
  since: number;
  shipmentIds: string[];
  /** Trackers already moved to their first scan (in transit). */
  scanned: Set<string>;
  delivered: Set<string>;
  labelsTold: Set<string>;
}

const money = (currency: string, amount: number) => `${currency} ${(amount / 100).toFixed(2)}`;

export async function startSandboxStorefront(options: StorefrontOptions): Promise<Storefront> {
  const { orm, logger } = options;
  const log = logger.child({ sandbox: 'storefront' });
  const ctx = (): OperationContext => ({
    actor: SYSTEM_PRINCIPAL,
    requestId: 'sandbox-storefront',
    em: orm.em.fork(),
    logger: log,
  });

  const variantIds = new Map<string, string>();
  for (const item of STOREFRONT_ITEMS) {
    const { sku, title, priceAmount, weightGrams, lengthMm, widthMm, heightMm } = item;
    const found = await exists(() => variantBySku(ctx(), sku));
    const variant =
      found ??
      (
        await createProduct(ctx(), {
          title,
          variants: [{ sku, title, priceAmount, currency: 'USD', weightGrams, lengthMm, widthMm, heightMm }],
        })
      ).variants[0]!;
    variantIds.set(sku, variant.id);
  }
  const locationId =
    (await listLocations(ctx())).find((l) => l.code === STOREFRONT_LOCATION.code)?.id ??
    (await createLocation(ctx(), { ...STOREFRONT_LOCATION, channelIds: [DIRECT_CHANNEL_ID] })).id;
  const restock = async () => {
    const levels = await readLevels(orm.em.fork(), [...variantIds.values()]);
    for (const item of STOREFRONT_ITEMS) {
      const level = levels.find((l) => l.variantId === variantIds.get(item.sku) && l.locationId === locationId);
      const free = level ? level.onHand - level.reserved : 0;
      if (free > RESTOCK_BELOW || item.stock - free <= 0) continue;
      await receiveStock(ctx(), { sku: item.sku, locationId, quantity: item.stock - free, reason: 'sandbox restock' });
      log.info(`sandbox: restocked ${item.stock - free}× ${item.sku} at ${STOREFRONT_LOCATION.code}`);
    }
  };
  await restock();

  const tracked = new Map<string, Tracked>();
  /** Part of every idempotency key, so a restarted storefront never repeats an earlier start's keys. */
  const startedAt = Date.now();
  let stopped = false;
  let sequence = 0;
  let orderTimer: NodeJS.Timeout | undefined;
  let busy: Promise<void> = Promise.resolve();
  const serially = (step: () => Promise<void>, what: string) => {
    busy = busy.then(() =>
      stopped
        ? undefined
        : step().catch((err: Error) => log.warn({ err: err.message }, `sandbox: storefront ${what} failed`)),
    );
  };

  const placeNext = async () => {
    const n = sequence++;
    const customer = STOREFRONT_CUSTOMERS[n % STOREFRONT_CUSTOMERS.length]!;
    const card = STOREFRONT_CARDS[n % STOREFRONT_CARDS.length]!;
    const items = [STOREFRONT_ITEMS[n % STOREFRONT_ITEMS.length]!];
    if (n % 3 === 1) items.push(STOREFRONT_ITEMS[(n + 1) % STOREFRONT_ITEMS.length]!);
    const order = await placeOrder(ctx(), options.orders, {
      // Derived from the start and the sequence, so a retried placement never makes a second order.
      idempotencyKey: `sandbox-storefront-${startedAt}-${n}`,
      currency: 'USD',
      source: 'web',
      paymentMethod: card,
      customer: { email: customer.email, name: customer.name },
      shippingAddress: { name: customer.name, ...customer.address },
      lines: items.map((item, i) => ({ sku: item.sku, quantity: 1 + ((n + i) % 2) })),
    });
    const label = order.number;
    tracked.set(order.id, {
      label,
      status: order.status,
      since: Date.now(),
      shipmentIds: [],
      scanned: new Set(),
      delivered: new Set(),
      labelsTold: new Set(),
    });
    log.info(
      `sandbox: storefront order ${label} placed by ${customer.name}, ${money(order.currency, Number(order.totalAmount))}, card ${card}`,
    );
  };

  const tick = async () => {
    if (tracked.size === 0) return restock();
    const ids = [...tracked.keys()];
    const em = orm.em.fork();
    const orders = await em.find(Order, { id: { $in: ids } });
    const payments = await cardPaymentsOfOrders(ctx(), ids);
    for (const order of orders) {
      const t = tracked.get(order.id)!;
      const payment = payments.get(order.id);
      if (order.status !== t.status) {
        t.status = order.status;
        t.since = Date.now();
        if (order.status === 'ALLOCATED')
          log.info(
            `sandbox: storefront order ${t.label} authorised (${payment?.provider ?? 'card'} ${payment?.intentId ?? ''}) and allocated`,
          );
        else if (order.status === 'ON_HOLD') {
          log.info(`sandbox: storefront order ${t.label} is on hold: ${order.holdReason ?? 'see its timeline'}`);
          tracked.delete(order.id);
        } else if (order.status === 'SHIPPED')
          log.info(
            `sandbox: storefront order ${t.label} shipped; ${money(order.currency, payment?.captured ?? 0)} captured`,
          );
        else if (order.status === 'DELIVERED') {
          log.info(`sandbox: storefront order ${t.label} delivered`);
          tracked.delete(order.id);
        } else if (order.status === 'BACKORDERED' || order.status === 'CANCELLED') {
          log.info(`sandbox: storefront order ${t.label} is ${order.status.toLowerCase()}`);
          tracked.delete(order.id);
        }
      }
      const due = Date.now() - t.since >= options.shipAfterMs;
      if (order.status === 'ALLOCATED' && t.shipmentIds.length === 0 && due) await requestLabels(order.id, t);
      if (t.shipmentIds.length > 0) await followLabels(t, due);
    }
    await restock();
  };

  const requestLabels = async (orderId: string, t: Tracked) => {
    const { shipments } = await createShipment(ctx(), orderId);
    t.shipmentIds = shipments.map((s) => s.shipment.id);
    // No rule given: the merchant's rule for the location or channel applies (default cheapest).
    for (const id of t.shipmentIds) await buyShippingLabel(ctx(), options.shipping, id);
    log.info(`sandbox: storefront order ${t.label} packed; label requested from ${STOREFRONT_LOCATION.code}`);
  };

  const followLabels = async (t: Tracked, due: boolean) => {
    const labels = await labelsOfShipments(ctx(), t.shipmentIds);
    for (const [shipmentId, label] of labels) {
      if (label.status === 'failed' && !t.labelsTold.has(shipmentId)) {
        t.labelsTold.add(shipmentId);
        log.info(
          `sandbox: storefront order ${t.label}: label could not be bought (${label.lastError ?? 'see its timeline'})`,
        );
      }
      if (label.status !== 'purchased' || !label.trackerId) continue;
      if (!t.labelsTold.has(shipmentId)) {
        t.labelsTold.add(shipmentId);
        log.info(
          `sandbox: storefront order ${t.label} labelled: ${label.carrier ?? ''} ${label.service ?? ''}, ` +
            `${money(label.currency ?? 'USD', Number(label.costAmount ?? 0))}, tracking ${label.trackingCode ?? ''}`,
        );
      }
      if (!options.easypost) continue;
      if (!t.scanned.has(label.trackerId)) {
        // The carrier's first scan: its webhook ships the shipment, which captures the payment.
        await options.easypost.advanceTracker(label.trackerId, { steps: 1 });
        t.scanned.add(label.trackerId);
      } else if (!t.delivered.has(label.trackerId) && t.status === 'SHIPPED' && due) {
        // Only once the hub has shipped it (the scan's webhook applied), so the story keeps its order.
        await options.easypost.advanceTracker(label.trackerId, { steps: 2 });
        t.delivered.add(label.trackerId);
      }
    }
  };

  const scheduleOrder = () => {
    // Jittered ±50 % around the mean, like the simulated Shopify store.
    const wait = options.orderEveryMs * (0.5 + Math.random());
    orderTimer = setTimeout(() => {
      serially(placeNext, 'order');
      if (!stopped) scheduleOrder();
    }, wait);
    orderTimer.unref();
  };
  scheduleOrder();
  const fulfiller = setInterval(() => serially(tick, 'fulfiller step'), options.pollMs ?? 1_000);
  fulfiller.unref();
  log.info(
    `sandbox: storefront selling ${STOREFRONT_ITEMS.map((i) => i.sku).join(', ')} from ${STOREFRONT_LOCATION.code} ` +
      `on the channel ${DIRECT_CHANNEL_ID}, paid by card; an order about every ${(options.orderEveryMs / 1000).toFixed(1)} s`,
  );

  return {
    async stop() {
      stopped = true;
      if (orderTimer) clearTimeout(orderTimer);
      clearInterval(fulfiller);
      await busy.catch(() => undefined);
    },
  };
}

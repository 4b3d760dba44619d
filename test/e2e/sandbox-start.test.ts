import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChildHubs, spawnHub, startChildHub, type ChildHub } from '../support/child-hub.js';
import { gql } from '../support/hub.js';

/**
 * What a newcomer sees after `npm install && npm start`: the built hub in development, on PGlite
 * under a fresh DATA_DIR, connects a simulated Shopify store as the channel `sandbox-shopify`;
 * within about a minute an order arrives by webhook, is allocated, shipped by the demo fulfiller,
 * and its tracking is pushed back (the simulator holds the fulfillment). Production never starts
 * the sandbox, and SANDBOX_SHOPIFY=off turns it off.
 */
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-sandbox-'));
  dirs.push(dir);
  return dir;
};

afterAll(async () => {
  await killChildHubs();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** PGlite's first start costs seconds of CPU; on a busy machine much more (see embedded-default). */
const START_TIMEOUT_MS = 180_000;
const STORY_TIMEOUT_MS = 90_000;

type OrderNode = { id: string; status: string; externalId: string; channelId: string };
type SimFulfillment = { orderId: string; trackingInfo: { number: string | null; company: string | null }[] };

async function waitUntil<T>(what: string, read: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

describe('npm start shows the hub at work (development sandbox)', () => {
  let hub: (ChildHub & { base: string }) | undefined;
  let key = '';
  const dataDir = freshDir();

  it(
    'connects a simulated Shopify store whose orders arrive, are allocated, shipped and fulfilled on Shopify with tracking',
    async () => {
      hub = await startChildHub(
        ['all'],
        {
          NODE_ENV: 'development',
          SANDBOX_SHOPIFY: undefined, // the default: on in development
          DATA_DIR: dataDir,
          SANDBOX_ORDER_EVERY_MS: '2000',
          SANDBOX_SHIP_AFTER_MS: '1000',
        },
        { ownProcessGroup: true },
      );
      key = (await hub.waitFor(/SWITCHYARD ADMIN KEY: (syk_\S+)/))[1]!;
      const simulatorUrl = (
        await hub.waitFor(/at (http:\/\/127\.0\.0\.1:\d+) connected as channel sandbox-shopify/)
      )[1]!;
      const started = Date.now();

      const channel = await gql<{ channel: { id: string; kind: string; enabled: boolean; endpoint: string } }>(
        hub.base,
        '{ channel(id: "sandbox-shopify") { id kind enabled endpoint } }',
        { key },
      );
      expect(channel.body.errors).toBeUndefined();
      expect(channel.body.data?.channel).toEqual({
        id: 'sandbox-shopify',
        kind: 'SHOPIFY',
        enabled: true,
        endpoint: simulatorUrl,
      });

      // An order of the channel that went all the way to SHIPPED.
      const shipped = await waitUntil(
        'a shipped sandbox order',
        async () => {
          const r = await gql<{ orders: { totalCount: number; edges: { node: OrderNode }[] } }>(
            hub!.base,
            `{ orders(first: 50, filter: { channelId: "sandbox-shopify" }) {
                 totalCount edges { node { id status externalId channelId } } } }`,
            { key },
          );
          const nodes = r.body.data?.orders.edges.map((e) => e.node) ?? [];
          return nodes.length > 0 && nodes.some((n) => n.status === 'SHIPPED')
            ? { nodes, shipped: nodes.find((n) => n.status === 'SHIPPED')! }
            : undefined;
        },
        STORY_TIMEOUT_MS,
      );
      expect(shipped.shipped.channelId).toBe('sandbox-shopify');
      expect(shipped.shipped.externalId).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);

      // Its timeline says it was allocated and shipped.
      const timeline = await gql<{ order: { events: { type: string; toStatus: string | null }[] } }>(
        hub.base,
        `{ order(id: "${shipped.shipped.id}") { events { type toStatus } } }`,
        { key },
      );
      expect(timeline.body.errors).toBeUndefined();
      const types = timeline.body.data!.order.events.map((e) => e.type);
      expect(types).toContain('shipment_shipped');
      const statuses = timeline.body.data!.order.events.map((e) => e.toStatus);
      expect(statuses).toContain('ALLOCATED');
      expect(statuses).toContain('SHIPPED');

      // The simulator holds a fulfillment with the tracking number the hub shipped with.
      const fulfilled = await waitUntil(
        'the fulfillment on the simulator',
        async () => {
          const list = (await (await fetch(`${simulatorUrl}/_sim/fulfillments`)).json()) as SimFulfillment[];
          const mine = list.find((f) => f.orderId === shipped.shipped.externalId);
          return mine?.trackingInfo.some((t) => /^SBX[0-9A-F]{10}$/.test(t.number ?? '')) ? { list, mine } : undefined;
        },
        STORY_TIMEOUT_MS,
      );
      expect(fulfilled.mine.trackingInfo[0]!.company).toBe('Sandbox Post');

      // The log told the story, one line per step (the last one within a poll of the fulfiller).
      await hub.waitFor(/sandbox: tracking pushed to Shopify: order #\d+ fulfilled, Sandbox Post SBX/, 10_000);
      const out = hub.output();
      for (const step of [
        /sandbox: order #\d+ arrived from Shopify/,
        /sandbox: order #\d+ allocated/,
        /sandbox: order #\d+ shipped from SANDBOX-(LDN|MAN)/,
      ])
        expect(out).toMatch(step);
      process.stdout.write(
        `sandbox: ${shipped.nodes.length} sandbox orders seen, ${shipped.nodes.filter((n) => n.status === 'SHIPPED').length} shipped, ` +
          `${fulfilled.list.length} fulfillments on the simulator, first full story in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );

      // The other two marketplaces share the same warehouses: an Amazon and an eBay order each
      // arrive (pulled at once), are allocated from the shared stock, ship, and their tracking
      // reaches the marketplace's simulator (confirmShipment, createShippingFulfillment).
      for (const [platform, channelId] of [
        ['Amazon', 'sandbox-amazon'],
        ['eBay', 'sandbox-ebay'],
      ] as const) {
        const line = await hub.waitFor(
          new RegExp(`sandbox: tracking pushed to ${platform}: order (\\S+) [^,]+, (SBX[0-9A-F]{10})`),
          STORY_TIMEOUT_MS,
        );
        const res = await gql<{ orders: { edges: { node: { externalId: string; status: string } }[] } }>(
          hub.base,
          `{ orders(first: 50, filter: { channelId: "${channelId}" }) { edges { node { externalId status } } } }`,
          { key },
        );
        expect(res.body.errors).toBeUndefined();
        const orders = res.body.data!.orders.edges.map((e) => e.node);
        expect(orders.find((o) => o.externalId === line[1])?.status).toBe('SHIPPED');
        expect(hub.output()).toMatch(new RegExp(`sandbox: order \\S+ allocated from the shared stock`));
        process.stdout.write(`sandbox: ${platform} order ${line[1]} shipped with ${line[2]} on the marketplace\n`);
      }

      // The storefront's card orders: authorised by Stripe, labelled by EasyPost, captured when the
      // carrier's first scan ships them and tracked to delivery — both providers simulated in-process.
      type StoreOrder = {
        id: string;
        number: string;
        status: string;
        totals: { total: { amount: number } };
        payment: { provider: string; status: string; reference: string | null; captured: { amount: number } } | null;
        shipments: {
          status: string;
          trackingNumber: string | null;
          label: { status: string; trackingCode: string | null } | null;
        }[];
      };
      const storeOrders = async () => {
        const r = await gql<{ orders: { edges: { node: StoreOrder }[] } }>(
          hub!.base,
          `{ orders(first: 50, filter: { channelId: "direct" }) { edges { node {
               id number status totals { total { amount } }
               payment { provider status reference captured { amount } }
               shipments { status trackingNumber label { status trackingCode } } } } } }`,
          { key },
        );
        expect(r.body.errors).toBeUndefined();
        return r.body.data!.orders.edges.map((e) => e.node);
      };
      const delivered = await waitUntil(
        'a delivered storefront order',
        async () => (await storeOrders()).find((o) => o.status === 'DELIVERED'),
        STORY_TIMEOUT_MS,
      );
      expect(delivered.payment).toMatchObject({ provider: 'stripe', status: 'CAPTURED' });
      expect(delivered.payment!.reference).toMatch(/^pi_/);
      expect(delivered.payment!.captured.amount).toBe(delivered.totals.total.amount);
      expect(delivered.shipments).toHaveLength(1);
      expect(delivered.shipments[0]!.label).toMatchObject({ status: 'PURCHASED' });
      expect(delivered.shipments[0]!.trackingNumber).toBe(delivered.shipments[0]!.label!.trackingCode);
      // Every sixth customer's card is declined: that order waits on hold with the reason.
      const declined = await waitUntil(
        'a storefront order held for its declined card',
        async () => (await storeOrders()).find((o) => o.payment?.status === 'DECLINED'),
        STORY_TIMEOUT_MS,
      );
      expect(declined.status).toBe('ON_HOLD');
      // The log tells each step (the last ones within a poll of the storefront's fulfiller).
      for (const step of [
        /sandbox: payments through the Stripe simulator at http:\/\/127\.0\.0\.1:\d+, labels through the EasyPost simulator/,
        new RegExp(`sandbox: storefront order ${delivered.number} authorised \\(stripe pi_\\w+\\) and allocated`),
        new RegExp(
          `sandbox: storefront order ${delivered.number} labelled: .*tracking ${delivered.shipments[0]!.label!.trackingCode}`,
        ),
        new RegExp(`sandbox: storefront order ${delivered.number} shipped; USD [\\d.]+ captured`),
        new RegExp(`sandbox: storefront order ${delivered.number} delivered`),
        new RegExp(`sandbox: storefront order ${declined.number} is on hold: stripe payment declined`),
      ])
        await hub.waitFor(step, 10_000);

      // Ctrl-C reaches the whole terminal's process group; the hub's own Redis must not stop first.
      hub.killGroup('SIGINT');
      expect(await hub.exited).toBe(0);
      expect(hub.output()).toContain('"msg":"stopped"');
      expect(hub.output()).not.toMatch(/"level":50/);
    },
    START_TIMEOUT_MS + 4 * STORY_TIMEOUT_MS,
  );

  it(
    'never starts in production, and SANDBOX_SHOPIFY=off keeps it off in development',
    async () => {
      // Production refuses the setting outright (and needs its real services, so this is config only).
      const refused = spawnHub(['all'], { NODE_ENV: 'production', SANDBOX_SHOPIFY: 'on' });
      expect(await refused.exited).toBe(78);
      expect(refused.output()).toContain('SANDBOX_SHOPIFY');

      // The same data as the first test (a warm PGlite start), with the sandbox off: no store, no orders.
      await killChildHubs(); // a first test that failed early leaves its hub on this DATA_DIR
      expect(key).not.toBe('');
      const off = await startChildHub(['all'], { NODE_ENV: 'development', SANDBOX_SHOPIFY: 'off', DATA_DIR: dataDir });
      const count = async () => {
        const r = await gql<{ orders: { totalCount: number } }>(
          off.base,
          '{ orders(first: 1, filter: { channelId: "sandbox-shopify" }) { totalCount } }',
          { key },
        );
        expect(r.body.errors).toBeUndefined();
        return r.body.data!.orders.totalCount;
      };
      const before = await count();
      await new Promise((r) => setTimeout(r, 6_000));
      const after = await count();
      expect(after).toBe(before);
      expect(off.output()).not.toContain('sandbox:');
      off.kill('SIGTERM');
      expect(await off.exited).toBe(0);
      process.stdout.write(
        `sandbox: production refused SANDBOX_SHOPIFY=on (exit 78); with SANDBOX_SHOPIFY=off no store started and ` +
          `the sandbox orders stayed ${before} → ${after} over 6 s\n`,
      );
    },
    START_TIMEOUT_MS,
  );

  it(
    'on the next start finds its products, locations and channel again and points the channel at the new simulator',
    async () => {
      await killChildHubs();
      const again = await startChildHub(['all'], {
        NODE_ENV: 'development',
        SANDBOX_SHOPIFY: 'on', // child-hub.ts turns it off unless told
        DATA_DIR: dataDir,
        SANDBOX_ORDER_EVERY_MS: '1000',
        SANDBOX_SHIP_AFTER_MS: '500',
      });
      const simulatorUrl = (
        await again.waitFor(/at (http:\/\/127\.0\.0\.1:\d+) connected as channel sandbox-shopify/)
      )[1]!;
      const channel = await gql<{ channel: { endpoint: string } }>(
        again.base,
        '{ channel(id: "sandbox-shopify") { endpoint } }',
        { key },
      );
      expect(channel.body.errors).toBeUndefined();
      expect(channel.body.data!.channel.endpoint).toBe(simulatorUrl);
      // A new order of the new store goes the whole way again.
      const line = await again.waitFor(/sandbox: tracking pushed to Shopify: order (#\d+) fulfilled/, STORY_TIMEOUT_MS);
      again.kill('SIGTERM');
      expect(await again.exited).toBe(0);
      process.stdout.write(`sandbox: restarted on the same data, endpoint now ${simulatorUrl}, ${line[1]} fulfilled\n`);
    },
    START_TIMEOUT_MS,
  );
});

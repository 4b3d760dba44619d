import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainError } from '../../src/domain/errors.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, runPendingMigrations, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku, orderDeps, seeded, shuffle, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/**
 * R3 / issue 4: 200 concurrent buyers on one SKU with 50 units over 3 locations. Exactly 50
 * reserved, the rest backordered (or refused under the reject policy), `available` never
 * negative while sampled, stock = Σ ledger, no deadlock error reaching a caller.
 */
/**
 * The rounds are the claim (RELIABILITY.md R3), so the time they may take is sized to the slowest
 * machine seen, not to a quiet one: the whole of `.ci/run` took 368 s on 2026-11-28, but on
 * 2026-12-06, with the same machine's CPU about 8x slower (a 2*10^8-step Node loop in 1.9 s), a
 * round took 12.8 s alone and the 100 PostgreSQL rounds 1,599 s in a full `.ci/run`, past the old
 * 600 s. 45 minutes leaves that run a margin of 1.7x and still fits CI's 90 minutes.
 */
const ROUND_TIMEOUT_MS = 2_700_000;

const ROUNDS = {
  postgres: Number(process.env.HOT_SKU_ROUNDS ?? 100),
  pglite: Number(process.env.HOT_SKU_PGLITE_ROUNDS ?? 20),
};
const BUYERS = 200;
const UNITS = 50;

async function query<R>(orm: Orm, text: string, params: unknown[] = []): Promise<R[]> {
  return orm.em.fork().getConnection().execute<R[]>(text, params);
}

/** Splits the units over the locations at random (seeded). */
function split(random: () => number): number[] {
  const a = Math.floor(random() * (UNITS + 1));
  const b = Math.floor(random() * (UNITS - a + 1));
  return shuffle([a, b, UNITS - a - b], random);
}

async function setUp(orm: Orm): Promise<Record<string, string>> {
  return createLocations(contextFor(orm.em), [
    { code: 'DAL', latitude: 32.78, longitude: -96.8 },
    { code: 'LAX', latitude: 34.05, longitude: -118.24 },
    { code: 'NYC', latitude: 40.71, longitude: -74.0 },
  ]);
}

async function race(orm: Orm, sku: string, random: () => number, channelId?: string) {
  let minAvailable = Infinity;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const rows = await query<{ m: number }>(
        orm,
        'select coalesce(min(on_hand - reserved - safety_stock), 0) as m from stock_level s join variant v on v.id = s.variant_id where v.sku = ?',
        [sku],
      );
      minAvailable = Math.min(minAvailable, Number(rows[0]!.m));
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const buyers = shuffle(
    Array.from({ length: BUYERS }, (_, i) => i),
    random,
  );
  const results = await Promise.allSettled(
    buyers.map((i) =>
      placeOrder(contextFor(orm.em), orderDeps, {
        idempotencyKey: `${sku}-buyer-${i}`,
        ...(channelId ? { channelId } : {}),
        currency: 'USD',
        customer: { email: `buyer${i}@example.com` },
        shippingAddress: ADDRESS,
        lines: [{ sku, quantity: 1 }],
      }),
    ),
  );
  sampling = false;
  await sampler;
  return { results, minAvailable };
}

async function runRounds(orm: Orm, locations: Record<string, string>, rounds: number, label: string): Promise<void> {
  const summary = {
    database: label,
    rounds: 0,
    buyers: 0,
    allocated: 0,
    backordered: 0,
    errors: 0,
    minAvailable: Infinity,
  };
  for (let round = 0; round < rounds; round++) {
    const seed = 1000 + round;
    const random = seeded(seed);
    const sku = `HOT-${round}`;
    await createSku(contextFor(orm.em), sku);
    const units = split(random);
    await stock(contextFor(orm.em), sku, locations.DAL!, units[0]!);
    await stock(contextFor(orm.em), sku, locations.LAX!, units[1]!);
    await stock(contextFor(orm.em), sku, locations.NYC!, units[2]!);

    const { results, minAvailable } = await race(orm, sku, random);
    const rejected = results.filter((r) => r.status === 'rejected');
    const statuses = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.status] : []));
    const reserved = await query<{ r: number }>(
      orm,
      'select coalesce(sum(reserved), 0) as r from stock_level s join variant v on v.id = s.variant_id where v.sku = ?',
      [sku],
    );
    const context = `${label} round ${round} (seed ${seed}, split ${units.join('/')})`;
    expect({ context, rejected: rejected.map((r) => String((r as PromiseRejectedResult).reason)) }).toEqual({
      context,
      rejected: [],
    });
    expect({ context, allocated: statuses.filter((s) => s === 'ALLOCATED').length }).toEqual({
      context,
      allocated: UNITS,
    });
    expect({ context, backordered: statuses.filter((s) => s === 'BACKORDERED').length }).toEqual({
      context,
      backordered: BUYERS - UNITS,
    });
    expect({ context, reserved: Number(reserved[0]!.r) }).toEqual({ context, reserved: UNITS });
    expect(minAvailable).toBeGreaterThanOrEqual(0);
    summary.rounds++;
    summary.buyers += BUYERS;
    summary.allocated += UNITS;
    summary.backordered += BUYERS - UNITS;
    summary.minAvailable = Math.min(summary.minAvailable, minAvailable);
  }
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  process.stdout.write(`hot SKU: ${JSON.stringify(summary)}\n`);
}

describe('hot SKU: 200 concurrent buyers, 50 units over 3 locations (PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: Orm;
  let locations: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 20 });
    locations = await setUp(orm);
  });
  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  it(
    `reserves exactly 50 and backorders 150, every round of ${ROUNDS.postgres}`,
    async () => {
      await runRounds(orm, locations, ROUNDS.postgres, 'postgres');
    },
    ROUND_TIMEOUT_MS,
  );

  it('under the reject policy refuses the 150 with INSUFFICIENT_STOCK and writes nothing for them', async () => {
    await query(
      orm,
      "insert into channel (id, kind, name, backorder_policy) values ('strict', 'direct', 'Strict', 'reject')",
    );
    const random = seeded(42);
    const sku = 'HOT-REJECT';
    await createSku(contextFor(orm.em), sku);
    const units = split(random);
    for (const [code, n] of [
      ['DAL', units[0]!],
      ['LAX', units[1]!],
      ['NYC', units[2]!],
    ] as const)
      await stock(contextFor(orm.em), sku, locations[code]!, n);
    const { results } = await race(orm, sku, random, 'strict');
    const refused = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason as DomainError);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(UNITS);
    expect(refused).toHaveLength(BUYERS - UNITS);
    expect(new Set(refused.map((e) => e.code))).toEqual(new Set(['INSUFFICIENT_STOCK']));
    const orders = await sql<{ n: number }>(
      db.url,
      'select count(*)::int as n from "order" where channel_id = \'strict\'',
    );
    expect(orders[0]!.n).toBe(UNITS);
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
  }, 120_000);
});

describe('hot SKU on the embedded PGlite database', () => {
  let dir: string;
  let orm: Orm;
  let locations: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-hot-pglite-'));
    orm = await createOrm({ kind: 'pglite', dataDir: join(dir, 'pglite') });
    await runPendingMigrations(orm);
    locations = await setUp(orm);
  });
  afterAll(async () => {
    await orm.close(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `reserves exactly 50 and backorders 150, every round of ${ROUNDS.pglite}`,
    async () => {
      await runRounds(orm, locations, ROUNDS.pglite, 'pglite');
    },
    ROUND_TIMEOUT_MS,
  );
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { webhookSecretOf } from '../../src/domain/channels/channel-credentials.js';
import { openCredentials, sealCredentials } from '../../src/domain/channels/channel-secrets.js';
import { WebhookSecretCache } from '../../src/domain/channels/webhook-secret-cache.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { seeded } from '../support/commerce.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { post, serveInbox, signedDelivery, type Signed } from '../support/webhook-inbox.js';

/**
 * The route stores a delivery to a channel it found open before in one round trip
 * (DeliveryGroupCommit); every other case takes the full path. On generated sequences of
 * channel changes (rotation, disable, disconnect, credentials removed …) and deliveries (genuine,
 * old secret, forged, not JSON, unknown topic, data-protection, replay), a long-lived route, whose
 * shortcut is warm, must answer exactly as a fresh route that has only the full path.
 */
const key = randomBytes(32);
const seal = (webhookSecret: string) =>
  sealCredentials(key, 'shop-s', { shopDomain: 's.myshopify.com', accessToken: 'shpat_s', webhookSecret });
const cacheFor = () =>
  new WebhookSecretCache((channelId, ciphertext) => webhookSecretOf(openCredentials(key, channelId, ciphertext)));

let db: TestDatabase;
let orm: Orm;
let warm: { base: string; close: () => Promise<void> };

const serve = () => {
  const secrets = cacheFor();
  return serveInbox(orm, {
    secretFor: async (channel) => secrets.secretOf(channel.id, channel.credentialsCiphertext),
    enqueue: async () => undefined,
  });
};

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  await sql(
    db.url,
    `insert into channel (id, kind, name, credentials_ciphertext) values ('shop-s', 'shopify', 'S', $1)`,
    [seal('s-0')],
  );
  warm = await serve();
});
afterAll(async () => {
  await warm.close();
  await orm.close(true);
  await db.drop();
});

type Change = (state: { secret: string; previous: string; n: number }) => Promise<void>;
const update = (assignments: string, values: unknown[] = []) =>
  sql(db.url, `update channel set ${assignments} where id = 'shop-s'`, values).then(() => undefined);
const CHANGES: Record<string, Change> = {
  rotate: async (s) => {
    s.previous = s.secret;
    s.secret = `s-${++s.n}`;
    await update('credentials_ciphertext = $1', [seal(s.secret)]);
  },
  reseal: (s) => update('credentials_ciphertext = $1', [seal(s.secret)]),
  disable: () => update('enabled = false'),
  enable: () => update('enabled = true'),
  disconnect: () => update('disconnected_at = now()'),
  reconnect: () => update('disconnected_at = null'),
  removeCredentials: () => update('credentials_ciphertext = null'),
  restoreCredentials: (s) => update('credentials_ciphertext = $1', [seal(s.secret)]),
};

describe('the one-round-trip shortcut against the full path', () => {
  it('answers every generated delivery as a route without the shortcut does, through every channel change', async () => {
    const random = seeded(20261207);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const state = { secret: 's-0', previous: 's-0', n: 0 };
    const accepted: number[] = [];
    const seenChanges = new Set<string>();
    const seenAnswers = new Set<string>();
    for (let step = 0; step < 120; step++) {
      if (random() < 0.35) {
        const change = pick(Object.keys(CHANGES));
        seenChanges.add(change);
        await CHANGES[change]!(state);
      }
      const kind = pick([
        'genuine',
        'genuine',
        'genuine',
        'old-secret',
        'forged',
        'not-json',
        'topic',
        'redact',
        'replay',
      ]);
      // The same delivery to both routes, under its own event id for each (both store into one table).
      const delivery = (route: 'w' | 'c'): Signed => {
        const ev = (n: number) => `${route}-${n}`;
        switch (kind) {
          case 'old-secret':
            return signedDelivery(state.previous, { step }, { eventId: ev(step) });
          case 'forged':
            return signedDelivery(`${state.secret}-not`, { step }, { eventId: ev(step) });
          case 'not-json':
            return signedDelivery(state.secret, '{"step":', { eventId: ev(step) });
          case 'topic':
            return signedDelivery(state.secret, { step }, { eventId: ev(step), topic: 'products/create' });
          case 'redact':
            return signedDelivery(state.secret, { step }, { eventId: ev(step), topic: 'customers/redact' });
          case 'replay': {
            const earlier = accepted.length ? pick(accepted) : step;
            return signedDelivery(state.secret, { step: earlier }, { eventId: ev(earlier) });
          }
          default:
            return signedDelivery(state.secret, { step }, { eventId: ev(step) });
        }
      };
      const cold = await serve();
      try {
        const w = await post(warm.base, 'shop-s', delivery('w'));
        const c = await post(cold.base, 'shop-s', delivery('c'));
        expect([step, kind, w.status, w.body.status]).toEqual([step, kind, c.status, c.body.status]);
        if (w.body.status === 'accepted') accepted.push(step);
        seenAnswers.add(`${w.status} ${String(w.body.status ?? '')}`);
      } finally {
        await cold.close();
      }
    }
    process.stdout.write(
      `shortcut vs full path: 120 deliveries, changes ${[...seenChanges].join(', ')}; answers ${[...seenAnswers].join(', ')}\n`,
    );
    // The sequence reached the cases that matter, not only the happy path.
    expect(seenChanges.size).toBe(Object.keys(CHANGES).length);
    for (const answer of ['200 accepted', '200 duplicate', '401 ', '409 ', '410 '])
      expect(seenAnswers).toContain(answer);
  });
});

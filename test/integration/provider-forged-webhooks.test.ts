import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { easyPostSignatureOf } from '../../src/connectors/carriers/easypost/easypost-webhook.js';
import { sql } from '../support/database.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { post, type Signed } from '../support/webhook-inbox.js';

/**
 * S1 for the payment and carrier webhooks, over real HTTP to a real hub (the api role; nothing
 * processes the rows, so a stored row is exactly what got in): for Stripe and EasyPost, 40 rounds
 * of missing, empty, other-body, truncated and wrong-secret signatures, truncated and 1-byte-edited
 * bodies, Stripe deliveries signed more than 300 s ago, and replays of a genuine delivery. Nothing
 * forged is stored, every forgery is a 401, no answer is a 5xx, a replay is a 200 no-op.
 */
const STRIPE_WHSEC = 'whsec_forged_test';
const EASYPOST_SECRET = 'easypost-forged-test';
const ROUNDS = 40;
let t: TestHub;

const providerRows = (provider: string) =>
  sql<{ n: string }>(t.db.url, 'select count(*) as n from webhook_delivery where channel_id = $1', [
    `provider:${provider}`,
  ]).then((r) => Number(r[0]!.n));

interface Attempt extends Signed {
  kind: string;
}

beforeAll(async () => {
  t = await startTestHub('api', {
    // The gateway is never called: the api role only stores and acknowledges.
    STRIPE_SECRET_KEY: 'sk_test_forged',
    STRIPE_API_BASE: 'http://127.0.0.1:9',
    STRIPE_WEBHOOK_SECRET: STRIPE_WHSEC,
    EASYPOST_API_KEY: 'EZTK_forged',
    EASYPOST_API_BASE: 'http://127.0.0.1:9/v2/',
    EASYPOST_WEBHOOK_SECRET: EASYPOST_SECRET,
  });
});
afterAll(async () => {
  await t?.stop();
});

function flip(body: Buffer, i: number): Buffer {
  const edited = Buffer.from(body);
  const at = (i * 37) % edited.length;
  edited[at] = edited[at]! ^ (1 << (i % 8));
  return edited;
}

async function attack(provider: string, genuine: Signed, attempts: Attempt[]) {
  const first = await post(t.base, provider, genuine);
  expect([first.status, first.body.status]).toEqual([200, 'accepted']);
  const before = await providerRows(provider);
  const answers = await Promise.all(
    attempts.map(async (a) => ({ kind: a.kind, ...(await post(t.base, provider, a)) })),
  );
  const forged = answers.filter((a) => a.kind !== 'replayed');
  const replays = answers.filter((a) => a.kind === 'replayed');
  const added = (await providerRows(provider)) - before;
  const byKind = new Map<string, Set<number>>();
  for (const a of answers) byKind.set(a.kind, (byKind.get(a.kind) ?? new Set()).add(a.status));
  process.stdout.write(
    `S1 ${provider}: ${answers.length} hostile requests (${forged.length} forged, ${replays.length} replays): ` +
      `${answers.filter((a) => a.body.status === 'accepted').length} accepted, ${added} rows, ` +
      `${answers.filter((a) => a.status >= 500).length} 5xx; ${[...byKind].map(([k, s]) => `${k} ${[...s].join('/')}`).join(', ')}\n`,
  );
  expect(answers.filter((a) => a.status >= 500)).toEqual([]);
  expect(added).toBe(0);
  expect(forged.filter((a) => a.status !== 401).map((a) => [a.kind, a.status])).toEqual([]);
  expect(replays.every((a) => a.status === 200 && a.body.status === 'duplicate')).toBe(true);
}

describe('S1: forged payment and carrier webhooks', () => {
  it('Stripe: no forged, stale or edited delivery gets in; replays are 200 no-ops', async () => {
    const sign = (payload: string, secret = STRIPE_WHSEC, timestamp = Math.floor(Date.now() / 1000)): Signed => ({
      body: Buffer.from(payload, 'utf8'),
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
      },
    });
    const eventOf = (id: string, intent: string) =>
      JSON.stringify({
        id,
        object: 'event',
        type: 'payment_intent.amount_capturable_updated',
        created: Math.floor(Date.now() / 1000),
        data: { object: { id: intent, object: 'payment_intent', amount_capturable: 1_000 } },
      });
    const genuine = sign(eventOf('evt_genuine_1', 'pi_genuine'));
    const attempts: Attempt[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const payload = eventOf(`evt_attack_${i}`, `pi_attack_${i}`);
      const fresh = sign(payload);
      const header = fresh.headers['stripe-signature']!;
      const { 'stripe-signature': _drop, ...unsigned } = fresh.headers;
      attempts.push(
        { ...fresh, kind: 'missing', headers: unsigned },
        { ...fresh, kind: 'empty', headers: { ...fresh.headers, 'stripe-signature': '' } },
        { ...fresh, kind: 'other-body-signature', headers: genuine.headers },
        {
          ...fresh,
          kind: 'truncated-signature',
          headers: { ...fresh.headers, 'stripe-signature': header.slice(0, header.length - 1 - (i % 60)) },
        },
        { ...fresh, kind: 'truncated-body', body: fresh.body.subarray(0, fresh.body.length - 1 - (i % 20)) },
        { ...sign(payload, `${STRIPE_WHSEC}x`), kind: 'wrong-secret' },
        { ...fresh, kind: 'one-byte-edit', body: flip(fresh.body, i) },
        { ...sign(payload, STRIPE_WHSEC, Math.floor(Date.now() / 1000) - 301 - i * 60), kind: 'stale' },
        { ...genuine, kind: 'replayed' },
      );
    }
    await attack('stripe', genuine, attempts);
  }, 60_000);

  it('EasyPost: no forged or edited delivery gets in; replays are 200 no-ops', async () => {
    const template = JSON.parse(
      readFileSync(new URL('../fixtures/easypost/tracker-updated.guide-example.json', import.meta.url), 'utf8'),
    ) as { id: string };
    const sign = (payload: string, secret = EASYPOST_SECRET): Signed => {
      const body = Buffer.from(payload, 'utf8');
      return {
        body,
        headers: { 'content-type': 'application/json', 'x-hmac-signature': easyPostSignatureOf(body, secret) },
      };
    };
    const genuine = sign(JSON.stringify({ ...template, id: 'evt_genuine_ep' }));
    const attempts: Attempt[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const payload = JSON.stringify({ ...template, id: `evt_attack_ep_${i}` });
      const fresh = sign(payload);
      const header = fresh.headers['x-hmac-signature']!;
      const { 'x-hmac-signature': _drop, ...unsigned } = fresh.headers;
      attempts.push(
        { ...fresh, kind: 'missing', headers: unsigned },
        { ...fresh, kind: 'empty', headers: { ...fresh.headers, 'x-hmac-signature': '' } },
        { ...fresh, kind: 'other-body-signature', headers: genuine.headers },
        {
          ...fresh,
          kind: 'truncated-signature',
          headers: { ...fresh.headers, 'x-hmac-signature': header.slice(0, header.length - 1 - (i % 60)) },
        },
        { ...fresh, kind: 'truncated-body', body: fresh.body.subarray(0, fresh.body.length - 1 - (i % 20)) },
        { ...sign(payload, `${EASYPOST_SECRET}x`), kind: 'wrong-secret' },
        { ...fresh, kind: 'one-byte-edit', body: flip(fresh.body, i) },
        { ...genuine, kind: 'replayed' },
      );
    }
    await attack('easypost', genuine, attempts);
  }, 60_000);
});

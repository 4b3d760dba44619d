import { describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { seededRandom } from '../../src/connectors/shopify/simulator/sim-faults.js';
import { StripeWebhookSender } from '../../src/connectors/stripe/simulator/stripe-webhook-sender.js';
import { stripeSignature, verifyStripeSignature } from '../../src/connectors/stripe/stripe-signature.js';
import { createStripeWebhookAdapter, stripeWebhookAdapter } from '../../src/connectors/stripe/stripe-webhook.js';
import { stripeFixtures } from '../support/stripe-fixtures.js';

const SECRET = 'whsec_unit_test_endpoint_secret';
const NOW = Date.parse('2026-12-07T09:00:00Z');
const T = NOW / 1000;

/** The fixtures3 event envelope, as Stripe sends it (pretty-printed JSON). */
const EVENT = stripeFixtures().event;
const BODY = Buffer.from(JSON.stringify(EVENT, null, 2), 'utf8');

/** Signed by the official helper, as the fixtures README says to. */
function officialHeader(body: Buffer | string, options: { timestamp?: number; secret?: string } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload: body.toString(),
    secret: options.secret ?? SECRET,
    timestamp: options.timestamp ?? T,
  });
}

const adapter = createStripeWebhookAdapter({ now: () => NOW });
const verify = (body: Buffer, header: string | string[] | undefined, secret = SECRET) =>
  adapter.verify(body, { 'stripe-signature': header, 'content-type': 'application/json' }, secret);

describe('Stripe webhook adapter', () => {
  it('takes the fixtures3 event signed by the official helper: the event id dedupes, the type is the topic', () => {
    expect(verify(BODY, officialHeader(BODY))).toEqual({
      ok: true,
      delivery: {
        deliveryId: 'evt_1Pgc76B7WZ01zgkWwyRHS12y',
        topic: 'plan.created',
        triggeredAt: new Date('2009-02-13T23:31:30.000Z'),
      },
    });
  });

  it('takes any one matching v1 among several (a secret being rolled) and ignores v0', () => {
    const good = stripeSignature(BODY, T, SECRET);
    const other = stripeSignature(BODY, T, 'whsec_previous_secret');
    expect(verify(BODY, `t=${T},v1=${other},v1=${good},v0=${'0'.repeat(64)}`).ok).toBe(true);
    expect(verify(BODY, `t=${T}, v1=${good}`).ok).toBe(true);
    expect(verify(BODY, `t=${T},v0=${good}`)).toMatchObject({ ok: false, status: 401 });
  });

  it.each<[string, (b: Buffer) => [Buffer, string | string[] | undefined, string?]]>([
    ['no header', (b) => [b, undefined]],
    ['an empty header', (b) => [b, '']],
    ['the header twice', (b) => [b, [officialHeader(b), officialHeader(b)]]],
    ['another secret', (b) => [b, officialHeader(b, { secret: 'whsec_someone_else' })]],
    ['no secret configured', (b) => [b, officialHeader(b), '']],
    ['one byte of the body changed', (b) => [flip(b, 40), officialHeader(b)]],
    ['a byte appended to the body', (b) => [Buffer.concat([b, Buffer.from(' ')]), officialHeader(b)]],
    ['a truncated signature', (b) => [b, officialHeader(b).slice(0, -2)]],
    ['a signature of another timestamp', (b) => [b, officialHeader(b).replace(`t=${T}`, `t=${T - 1}`)]],
    ['no timestamp', (b) => [b, `v1=${stripeSignature(b, T, SECRET)}`]],
    ['two timestamps', (b) => [b, `t=${T - 600},${officialHeader(b)}`]],
    ['a signature 301 s old', (b) => [b, officialHeader(b, { timestamp: T - 301 })]],
    ['an hour-old replay', (b) => [b, officialHeader(b, { timestamp: T - 3600 })]],
    ['garbage', (b) => [b, 'x'.repeat(10_000)]],
  ])('answers 401 to %s', (_name, make) => {
    const [body, header, secret] = make(BODY);
    const verdict = verify(body, header, secret ?? SECRET);
    expect(verdict).toMatchObject({ ok: false, status: 401 });
  });

  it('takes a signature 300 s old and refuses it a second later (the tolerance is configurable)', () => {
    expect(verify(BODY, officialHeader(BODY, { timestamp: T - 300 })).ok).toBe(true);
    expect(verify(BODY, officialHeader(BODY, { timestamp: T - 301 }))).toMatchObject({
      ok: false,
      status: 401,
      reason: expect.stringMatching(/older than the tolerance/),
    });
    const lenient = createStripeWebhookAdapter({ now: () => NOW, toleranceSeconds: 3600 });
    expect(lenient.verify(BODY, { 'stripe-signature': officialHeader(BODY, { timestamp: T - 3599 }) }, SECRET).ok).toBe(
      true,
    );
  });

  it('reads the event only once the signature holds: 400 for a signed body that is no usable event', () => {
    const signedAs = (value: unknown) => {
      const body = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
      return verify(body, officialHeader(body));
    };
    expect(signedAs('not json')).toMatchObject({ ok: false, status: 400 });
    expect(signedAs({ ...EVENT, object: 'v2.core.event' })).toMatchObject({ ok: false, status: 400 });
    expect(signedAs({ ...EVENT, id: undefined })).toMatchObject({ ok: false, status: 400 });
    expect(signedAs({ ...EVENT, id: 'evt_'.padEnd(256, 'x') })).toMatchObject({ ok: false, status: 400 });
    expect(signedAs({ ...EVENT, type: '' })).toMatchObject({ ok: false, status: 400 });
    expect(signedAs({ ...EVENT, type: 'x'.repeat(65) })).toMatchObject({ ok: false, status: 400 });
    expect(signedAs({ ...EVENT, created: 'yesterday' })).toMatchObject({ ok: true, delivery: { triggeredAt: null } });
    // Unsigned, the same bodies are 401: a forger learns nothing about what we parse.
    expect(verify(Buffer.from('not json'), undefined)).toMatchObject({ ok: false, status: 401 });
  });

  it('takes every event type: unknown ones are the handler’s to ignore', () => {
    const body = Buffer.from(JSON.stringify({ ...EVENT, type: 'customer.created' }));
    expect(verify(body, officialHeader(body))).toMatchObject({ ok: true, delivery: { topic: 'customer.created' } });
  });

  it('takes what the simulator’s webhook sender signs', () => {
    // Both on the real clock: the sender signs with the time it sends at.
    const headers = lower(new StripeWebhookSender({ secret: [SECRET, 'whsec_next'] }).headersFor(BODY));
    expect(stripeWebhookAdapter.verify(BODY, headers, SECRET)).toMatchObject({ ok: true });
    expect(stripeWebhookAdapter.verify(BODY, headers, 'whsec_next')).toMatchObject({ ok: true });
    expect(stripeWebhookAdapter.verify(BODY, headers, 'whsec_other')).toMatchObject({ ok: false, status: 401 });
  });

  it('agrees with the official verifier on 600 generated deliveries, genuine and tampered', () => {
    const random = seededRandom(20261207);
    let accepted = 0;
    for (let i = 0; i < 600; i++) {
      const secret = `whsec_${Math.floor(random() * 1e9).toString(36)}`;
      const body = Buffer.from(JSON.stringify({ id: `evt_${i}`, object: 'event', n: random(), text: 'é✓' }));
      const age = Math.floor(random() * 600) - 60;
      let header = officialHeader(body, { secret, timestamp: T - age });
      let sent: Buffer = body;
      const tamper = Math.floor(random() * 4);
      if (tamper === 1) sent = flip(body, Math.floor(random() * body.length));
      if (tamper === 2) header = header.replace(/v1=(.)/, (_m, c: string) => `v1=${c === 'a' ? 'b' : 'a'}`);
      // 3: the receiver holds another secret.
      const receiverSecret = tamper === 3 ? `${secret}x` : secret;
      const ours = verifyStripeSignature(sent, header, receiverSecret, T).ok;
      let theirs: boolean;
      try {
        theirs = Stripe.webhooks.signature!.verifyHeader(sent, header, receiverSecret, 300, undefined, NOW);
      } catch {
        theirs = false;
      }
      expect(ours).toBe(theirs);
      if (ours) accepted++;
    }
    process.stdout.write(
      `stripe signatures: 600 generated deliveries, ${accepted} accepted, verdicts equal to the SDK's\n`,
    );
    // About a quarter untampered, of which about 60 % within 300 s.
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(200);
  });

  it('hashes the bytes as received: an invalid UTF-8 byte cannot stand in for U+FFFD as it can once decoded', () => {
    // A genuine event whose text holds U+FFFD (bytes EF BF BD), signed over its bytes.
    const genuine = Buffer.from(JSON.stringify({ ...EVENT, note: 'bad char: \uFFFD' }), 'utf8');
    const header = officialHeader(genuine);
    // A forger swaps the three bytes for one invalid byte: a decoder reads the same text.
    const at = genuine.indexOf(Buffer.from('\uFFFD', 'utf8'));
    const forged = Buffer.concat([genuine.subarray(0, at), Buffer.from([0xff]), genuine.subarray(at + 3)]);
    expect(forged.toString('utf8')).toBe(genuine.toString('utf8'));
    expect(Stripe.webhooks.signature!.verifyHeader(forged, header, SECRET, 300, undefined, NOW)).toBe(true);
    expect(verify(forged, header)).toMatchObject({ ok: false, status: 401 });
    expect(verify(genuine, header).ok).toBe(true);
  });
});

function flip(body: Buffer, at: number): Buffer {
  const copy = Buffer.from(body);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

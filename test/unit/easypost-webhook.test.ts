import { describe, expect, it } from '@jest/globals';
import * as easypost from '@easypost/api';
import { readFileSync } from 'node:fs';
import {
  easyPostSignatureOf,
  easyPostWebhookAdapter,
} from '../../src/connectors/carriers/easypost/easypost-webhook.js';
import { shipmentOf, trackerOf } from '../../src/connectors/carriers/easypost/easypost.mapper.js';
import { easyPostError } from '../../src/connectors/carriers/easypost/easypost-errors.js';

const easyPostErrorOf = (e: unknown) => {
  const mapped = easyPostError(e);
  return { kind: mapped.kind, code: mapped.details.code ?? null };
};
const EasyPostClient = easypost.default as unknown as (typeof easypost.default)['default'];
const fixture = (name: string) => readFileSync(new URL(`../fixtures/easypost/${name}`, import.meta.url), 'utf8');
const vector = JSON.parse(fixture('webhook-hmac-vector.json')) as { secret: string; hmac_signature: string };
/** The vector is over the event's compact JSON: the file's bytes without its final newline. */
const eventBody = Buffer.from(fixture('tracker-updated.event-body.json').replace(/\n$/, ''), 'utf8');
const guideBody = Buffer.from(fixture('tracker-updated.guide-example.json'), 'utf8');

const verify = (body: Buffer, signature: string | string[] | undefined, secret = vector.secret) =>
  easyPostWebhookAdapter.verify(body, { 'x-hmac-signature': signature }, secret);

describe('EasyPost webhook signature', () => {
  it('reproduces the official HMAC vector exactly (NFKD secret over the raw bytes)', () => {
    expect(easyPostSignatureOf(eventBody, vector.secret)).toBe(vector.hmac_signature);
    // The secret as typed with a precomposed é and as NFKD (e + combining accent) sign alike.
    expect(easyPostSignatureOf(eventBody, vector.secret.normalize('NFC'))).toBe(vector.hmac_signature);
    expect(easyPostSignatureOf(eventBody, vector.secret.normalize('NFD'))).toBe(vector.hmac_signature);
    // And the official client's own verifier agrees with us on the vector.
    const official = new EasyPostClient('k').Utils.validateWebhook(
      eventBody,
      { 'X-Hmac-Signature': vector.hmac_signature },
      vector.secret,
    ) as { id: string };
    expect(official.id).toBe('evt_1');
  });

  it('accepts both official fixtures unchanged, naming the delivery by event id and the topic by description', () => {
    expect(verify(eventBody, vector.hmac_signature)).toEqual({
      ok: true,
      delivery: { deliveryId: 'evt_1', topic: 'tracker.updated', triggeredAt: new Date('2024-08-02T19:26:52.000Z') },
    });
    const secret = 'whsec-guide';
    expect(verify(guideBody, easyPostSignatureOf(guideBody, secret), secret)).toEqual({
      ok: true,
      delivery: { deliveryId: 'evt_...', topic: 'tracker.updated', triggeredAt: new Date('2014-11-19T10:51:54Z') },
    });
  });

  it('refuses forged, truncated, wrong-secret, edited and missing signatures with 401, before parsing', () => {
    const good = vector.hmac_signature;
    const flipped = good.slice(0, -1) + (good.endsWith('0') ? '1' : '0');
    const edited = Buffer.from(eventBody);
    edited[edited.indexOf('in_transit')] = 'I'.charCodeAt(0);
    const cases: [Buffer, string | string[] | undefined, string?][] = [
      [eventBody, undefined],
      [eventBody, ''],
      [eventBody, flipped],
      [eventBody, good.slice(0, -2)],
      [eventBody, good.replace('hmac-sha256-hex=', '')],
      [eventBody, good.toUpperCase()],
      [eventBody, [good, good]],
      [eventBody, good, 'secret'],
      [eventBody, good, ''],
      [edited, good],
      [Buffer.concat([eventBody, Buffer.from(' ')]), good],
      [Buffer.from('not json'), easyPostSignatureOf(Buffer.from('not json'), 'x'), 'y'],
    ];
    for (const [body, signature, secret] of cases) {
      expect(verify(body, signature, secret ?? vector.secret)).toEqual({
        ok: false,
        status: 401,
        reason: expect.any(String),
      });
    }
  });

  it('answers 400 to a signed body that is not an EasyPost event', () => {
    for (const text of [
      'not json',
      '[]',
      '{"description":"tracker.updated"}',
      '{"id":"evt_1"}',
      `{"id":"${'e'.repeat(256)}","description":"x"}`,
    ]) {
      const body = Buffer.from(text);
      expect(verify(body, easyPostSignatureOf(body, 's'), 's')).toEqual({
        ok: false,
        status: 400,
        reason: expect.any(String),
      });
    }
  });

  it('verifies a body whose float weights were re-serialised as integers, as the official client does', () => {
    const original = Buffer.from('{"id":"evt_2","description":"tracker.updated","result":{"weight":17.0}}');
    const reserialised = Buffer.from('{"id":"evt_2","description":"tracker.updated","result":{"weight":17}}');
    const verdict = verify(reserialised, easyPostSignatureOf(original, 's'), 's');
    expect(verdict.ok).toBe(true);
  });
});

describe('EasyPost mapper', () => {
  it('reads the Tracker of both fixtures: status, the carrier time, every scan in UTC', () => {
    const fedex = trackerOf((JSON.parse(eventBody.toString()) as { result: Record<string, unknown> }).result)!;
    expect(fedex).toEqual(
      expect.objectContaining({
        id: 'trk_1',
        trackingCode: '1',
        carrier: 'FedEx',
        status: 'in_transit',
        updatedAt: '2024-08-02T19:26:51.000Z',
        providerShipmentId: null,
      }),
    );
    expect(fedex.scans).toHaveLength(7);
    expect(fedex.scans[1]).toEqual({
      status: 'in_transit',
      statusDetail: 'arrived_at_facility',
      message: 'Picked up',
      occurredAt: '2024-07-31T19:27:00.000Z',
      city: 'ORLANDO',
      region: 'FL',
      postalCode: '32809',
      countryCode: 'US',
    });
    const ups = trackerOf((JSON.parse(guideBody.toString()) as { result: Record<string, unknown> }).result)!;
    expect({ code: ups.trackingCode, status: ups.status, url: ups.publicUrl, scans: ups.scans.length }).toEqual({
      code: 'EZ4000000004',
      status: 'delivered',
      url: 'https://track.easypost.com/djE7...',
      scans: 6,
    });
    expect(ups.scans[0]!.countryCode).toBeNull();
  });

  it('turns decimal rates into minor units and refuses what it cannot hold exactly', () => {
    const shipment = shipmentOf({
      id: 'shp_1',
      rates: [{ id: 'rate_1', carrier: 'USPS', service: 'Priority', rate: '7.58', currency: 'USD', delivery_days: 2 }],
      selected_rate: null,
      postage_label: null,
    });
    expect(shipment.rates).toEqual([
      { id: 'rate_1', carrier: 'USPS', service: 'Priority', amount: 758, currency: 'USD', deliveryDays: 2 },
    ]);
    expect(() => shipmentOf({ id: 'shp_2', rates: [{ id: 'r', rate: '7.585', currency: 'USD' }] })).toThrow(
      /more decimals than USD/,
    );
  });

  it('maps client errors to the closed set', () => {
    expect(easyPostErrorOf({ statusCode: 422, code: 'SHIPMENT.POSTAGE.EXISTS', message: 'x' })).toEqual({
      kind: 'INVALID',
      code: 'SHIPMENT.POSTAGE.EXISTS',
    });
    expect(easyPostErrorOf({ statusCode: 503, message: 'down' }).kind).toBe('TRANSIENT');
    expect(easyPostErrorOf({ code: 'ECONNRESET', message: 'socket hang up' }).kind).toBe('TRANSIENT');
    expect(easyPostErrorOf({ statusCode: 402, message: 'no funds' }).kind).toBe('INVALID');
    expect(easyPostErrorOf({ statusCode: 401, message: 'key' }).kind).toBe('AUTH');
  });
});

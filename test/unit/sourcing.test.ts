import { describe, expect, it } from '@jest/globals';
import {
  availabilityKey,
  distanceKm,
  planSourcing,
  rankLocations,
  type CandidateLocation,
  type SourcingLine,
} from '../../src/domain/inventory/sourcing.js';
import { suggestedReorderQuantity } from '../../src/domain/inventory/low-stock.query.js';

function location(code: string, extra: Partial<CandidateLocation> = {}): CandidateLocation {
  return {
    id: `loc-${code}`,
    code,
    priority: 100,
    latitude: null,
    longitude: null,
    countryCode: 'US',
    region: null,
    ...extra,
  };
}

const DAL = location('DAL', { latitude: 32.78, longitude: -96.8, region: 'TX' });
const LAX = location('LAX', { latitude: 34.05, longitude: -118.24, region: 'CA' });
const NYC = location('NYC', { latitude: 40.71, longitude: -74.0, region: 'NY' });

function stock(entries: [CandidateLocation, string, number][]): Map<string, number> {
  return new Map(entries.map(([l, variant, n]) => [availabilityKey(variant, l.id), n]));
}

const line = (lineId: string, variantId: string, quantity: number): SourcingLine => ({
  lineId,
  variantId,
  sku: variantId.toUpperCase(),
  quantity,
});

describe('rankLocations', () => {
  it('orders by great-circle distance when the address and the locations have coordinates', () => {
    const austin = { countryCode: 'US', latitude: 30.27, longitude: -97.74 };
    expect(rankLocations([NYC, LAX, DAL], austin).map((r) => r.location.code)).toEqual(['DAL', 'LAX', 'NYC']);
    expect(distanceKm({ latitude: 32.78, longitude: -96.8 }, { latitude: 40.71, longitude: -74.0 })).toBeGreaterThan(
      2000,
    );
  });

  it('without coordinates prefers the same region, then the same country, then priority', () => {
    const berlin = location('BER', { countryCode: 'DE', priority: 1 });
    const ohio = location('OHI', { region: 'OH', priority: 50 });
    const texas = location('TEX', { region: 'TX', priority: 200 });
    const ranked = rankLocations([berlin, ohio, texas], { countryCode: 'US', region: 'TX' });
    expect(ranked.map((r) => [r.location.code, r.why])).toEqual([
      ['TEX', 'same region'],
      ['OHI', 'same country'],
      ['BER', 'priority 1'],
    ]);
  });

  it('breaks ties by priority (lower first), then by code', () => {
    const a = location('A', { priority: 20 });
    const b = location('B', { priority: 10 });
    const c = location('C', { priority: 10 });
    expect(rankLocations([a, c, b], null).map((r) => r.location.code)).toEqual(['B', 'C', 'A']);
  });
});

describe('planSourcing', () => {
  it('ships everything from one location when one can, even if a nearer one has part of it', () => {
    const lines = [line('l1', 'v1', 2), line('l2', 'v2', 1)];
    const available = stock([
      [DAL, 'v1', 5],
      [LAX, 'v1', 5],
      [LAX, 'v2', 5],
    ]);
    const plan = planSourcing(lines, [DAL, LAX, NYC], available, {
      countryCode: 'US',
      latitude: 30.27,
      longitude: -97.74,
    });
    expect(plan.assignments).toEqual([
      { lineId: 'l1', variantId: 'v1', locationId: LAX.id, quantity: 2 },
      { lineId: 'l2', variantId: 'v2', locationId: LAX.id, quantity: 1 },
    ]);
    expect(plan.shortfall).toEqual([]);
    expect(plan.explanation).toMatch(/^all 2 lines from LAX, \d+ km from the address; DAL had 1 of 2/);
  });

  it('picks the nearest of several locations that can each ship everything', () => {
    const available = stock([
      [DAL, 'v1', 5],
      [NYC, 'v1', 5],
    ]);
    const plan = planSourcing([line('l1', 'v1', 1)], [NYC, DAL], available, {
      countryCode: 'US',
      latitude: 40.0,
      longitude: -75.0,
    });
    expect(plan.assignments[0]!.locationId).toBe(NYC.id);
    expect(plan.explanation).toMatch(/^the line from NYC/);
  });

  it('falls back to a same-country location when nothing has coordinates', () => {
    const toronto = location('TOR', { countryCode: 'CA', priority: 1 });
    const chicago = location('CHI', { countryCode: 'US', priority: 500 });
    const available = stock([
      [toronto, 'v1', 9],
      [chicago, 'v1', 9],
    ]);
    const plan = planSourcing([line('l1', 'v1', 3)], [toronto, chicago], available, { countryCode: 'US' });
    expect(plan.assignments).toEqual([{ lineId: 'l1', variantId: 'v1', locationId: chicago.id, quantity: 3 }]);
    expect(plan.explanation).toContain('CHI, same country');
  });

  it('uses priority when neither distance nor country decides', () => {
    const a = location('A', { priority: 30 });
    const b = location('B', { priority: 5 });
    const available = stock([
      [a, 'v1', 4],
      [b, 'v1', 4],
    ]);
    const plan = planSourcing([line('l1', 'v1', 4)], [a, b], available, null);
    expect(plan.assignments[0]!.locationId).toBe(b.id);
    expect(plan.explanation).toContain('priority 5');
  });

  it('splits over the fewest locations: the one covering most units first', () => {
    // 10 wanted: NYC 7, DAL 4, LAX 3. Fewest = NYC + DAL (not DAL + LAX + NYC by distance).
    const available = stock([
      [DAL, 'v1', 4],
      [LAX, 'v1', 3],
      [NYC, 'v1', 7],
    ]);
    const plan = planSourcing([line('l1', 'v1', 10)], [DAL, LAX, NYC], available, {
      countryCode: 'US',
      latitude: 32.78,
      longitude: -96.8,
    });
    expect(plan.assignments).toEqual([
      { lineId: 'l1', variantId: 'v1', locationId: NYC.id, quantity: 7 },
      { lineId: 'l1', variantId: 'v1', locationId: DAL.id, quantity: 3 },
    ]);
    expect(plan.shortfall).toEqual([]);
    expect(plan.explanation).toMatch(/^split over 2 locations: 7× V1 from NYC .*; 3× V1 from DAL/);
  });

  it('reports what no location has as the shortfall, and explains it', () => {
    const available = stock([[DAL, 'v1', 2]]);
    const plan = planSourcing([line('l1', 'v1', 5), line('l2', 'v2', 1)], [DAL], available, null);
    expect(plan.assignments).toEqual([{ lineId: 'l1', variantId: 'v1', locationId: DAL.id, quantity: 2 }]);
    expect(plan.shortfall).toEqual([
      { lineId: 'l1', sku: 'V1', quantity: 3 },
      { lineId: 'l2', sku: 'V2', quantity: 1 },
    ]);
    expect(plan.explanation).toContain('short 3× V1, 1× V2');
  });

  it('treats negative availability (uncovered safety stock) as none', () => {
    const available = stock([
      [DAL, 'v1', -3],
      [LAX, 'v1', 1],
    ]);
    const plan = planSourcing([line('l1', 'v1', 2)], [DAL, LAX], available, null);
    expect(plan.assignments).toEqual([{ lineId: 'l1', variantId: 'v1', locationId: LAX.id, quantity: 1 }]);
    expect(plan.shortfall).toEqual([{ lineId: 'l1', sku: 'V1', quantity: 1 }]);
  });

  it('says so when no location ships for the channel', () => {
    const plan = planSourcing([line('l1', 'v1', 1)], [], new Map(), null);
    expect(plan.assignments).toEqual([]);
    expect(plan.explanation).toBe('no active location ships for this channel');
  });
});

describe('suggestedReorderQuantity', () => {
  it('covers lead-time demand and refills to the reorder point', () => {
    // 30 net reserved in 30 days = 1/day; 14 days lead time; reorder point 10; 4 available.
    expect(suggestedReorderQuantity(30, 14, 10, 4)).toBe(14 + 10 - 4);
  });

  it('rounds demand up, exactly (no floating-point overshoot)', () => {
    expect(suggestedReorderQuantity(10, 14, 5, 5)).toBe(5); // 10 × 14 / 30 = 4.67 → 5
    expect(suggestedReorderQuantity(15, 14, 0, 0)).toBe(7); // exactly 7, not 8
  });

  it('never suggests a negative quantity, and ignores net releases', () => {
    expect(suggestedReorderQuantity(-20, 14, 5, 50)).toBe(0);
    expect(suggestedReorderQuantity(0, 14, 5, 2)).toBe(3);
  });
});

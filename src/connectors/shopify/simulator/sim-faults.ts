/** Seeded fault injection, so a failing run replays exactly with the same seed. */

/** mulberry32: a tiny seeded PRNG returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultRates {
  /** Share of calls answered 5xx (a random one of 500, 502, 503). */
  serverError: number;
  /** Share of calls answered 429 with Retry-After. */
  tooManyRequests: number;
  /** Share of calls that never answer (the client's timeout must fire). */
  timeout: number;
  /** Retry-After sent with a 429, in seconds. */
  retryAfterSeconds: number;
}

export const NO_FAULTS: FaultRates = { serverError: 0, tooManyRequests: 0, timeout: 0, retryAfterSeconds: 1 };

export type Fault = { kind: 'none' } | { kind: '5xx'; status: number } | { kind: '429' } | { kind: 'timeout' };

export function pickFault(rates: FaultRates, random: () => number): Fault {
  const r = random();
  if (r < rates.serverError) return { kind: '5xx', status: [500, 502, 503][Math.floor(random() * 3)]! };
  if (r < rates.serverError + rates.tooManyRequests) return { kind: '429' };
  if (r < rates.serverError + rates.tooManyRequests + rates.timeout) return { kind: 'timeout' };
  return { kind: 'none' };
}

import type { FormValue } from './sim-form.js';

/**
 * Stripe's idempotency (docs.stripe.com/idempotency): the first result of a POST under an
 * `Idempotency-Key` is stored (status and body, errors included) and replayed to every later
 * request with that key; the same key with another endpoint or other parameters is an
 * `idempotency_error`; keys are pruned once at least 24 hours old.
 */

export interface StoredResult {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: unknown;
  requestId: string;
  storedAt: number;
}

export type IdempotencyLookup =
  { kind: 'new' } | { kind: 'replay'; result: StoredResult } | { kind: 'mismatch'; message: string };

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The parameters as one string, independent of the order they were sent in. */
export function fingerprint(value: FormValue): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: FormValue): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(canonical);
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical(value[k]!)]),
  );
}

export class IdempotencyStore {
  private readonly results = new Map<string, StoredResult>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  lookup(key: string, method: string, path: string, print: string): IdempotencyLookup {
    const found = this.results.get(key);
    if (!found) return { kind: 'new' };
    if (this.now() - found.storedAt >= this.ttlMs) {
      this.results.delete(key);
      return { kind: 'new' };
    }
    if (found.method !== method || found.path !== path)
      return {
        kind: 'mismatch',
        message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${found.method} ${found.path}' vs '${method} ${path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      };
    if (found.fingerprint !== print)
      return {
        kind: 'mismatch',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      };
    return { kind: 'replay', result: found };
  }

  store(key: string, result: Omit<StoredResult, 'storedAt'>): void {
    this.results.set(key, { ...result, storedAt: this.now() });
  }

  get size(): number {
    return this.results.size;
  }
}

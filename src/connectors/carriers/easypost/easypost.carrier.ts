import * as easypost from '@easypost/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CarrierError,
  type CarrierProvider,
  type CarrierShipment,
  type CarrierShipmentRequest,
  type CarrierTracker,
} from '../../../domain/shipping/carrier.js';
import { easyPostError } from './easypost-errors.js';
import { easyPostAddress, easyPostParcel, shipmentOf, trackerOf } from './easypost.mapper.js';

export interface EasyPostCarrierOptions {
  apiKey: string;
  /** `https://api.easypost.com/v2/` unless pointed at the simulator (EASYPOST_API_BASE). */
  baseUrl?: string;
  /** Per request: no answer within this is a TRANSIENT failure. */
  timeoutMs?: number;
  /** Retries of the calls that are safe to repeat; `maxWaitMs` caps a Retry-After waited in place. */
  retry?: { attempts: number; baseDelayMs: number; maxWaitMs: number };
}

type Json = Record<string, unknown>;

// The package's types are CommonJS (its `default` export is the class, so TypeScript puts the
// class at `.default.default`), while Node loads its ESM entry, whose default export is the class.
const EasyPostClient = easypost.default as unknown as (typeof easypost.default)['default'];

export const EASYPOST_DEFAULT_BASE_URL = 'https://api.easypost.com/v2/';
const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 250, maxWaitMs: 5_000 };

/**
 * The carrier port over the official `@easypost/api` client. Every request has a timeout (the
 * client keeps its `timeout` option but never applies it, so it is set on each superagent request
 * by the client's `requestMiddleware`) and a retry policy: reads and shipment creation (which buys
 * nothing) are retried on TRANSIENT and short RATE_LIMITED failures with exponential backoff and
 * jitter; `buy` and `refund` are single attempts, because EasyPost takes no idempotency key for
 * them: the caller re-reads the shipment, the point of truth, before trying again.
 */
export class EasyPostCarrier implements CarrierProvider {
  readonly id = 'easypost';
  private readonly client: InstanceType<typeof EasyPostClient>;
  /** Per call: what the transport saw that the client's errors drop (Retry-After). */
  private readonly calls = new AsyncLocalStorage<{ retryAfter?: string }>();
  private readonly retry: { attempts: number; baseDelayMs: number; maxWaitMs: number };

  constructor(options: EasyPostCarrierOptions) {
    const timeoutMs = options.timeoutMs ?? 15_000;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.client = new EasyPostClient(options.apiKey, {
      baseUrl: options.baseUrl ?? EASYPOST_DEFAULT_BASE_URL,
      timeout: timeoutMs,
      requestMiddleware: (request: SuperagentRequest) => {
        const call = this.calls.getStore();
        request.timeout({ response: timeoutMs, deadline: timeoutMs });
        request.on('response', (res: { headers?: Record<string, string | undefined> }) => {
          if (call) call.retryAfter = res.headers?.['retry-after'];
        });
        return request;
      },
    });
  }

  createShipment(request: CarrierShipmentRequest): Promise<CarrierShipment> {
    return this.retried(async () =>
      shipmentOf(
        (await this.client.Shipment.create({
          reference: request.reference,
          to_address: easyPostAddress(request.to),
          from_address: easyPostAddress(request.from),
          parcel: easyPostParcel(request.parcel),
        } as never)) as unknown as Json,
      ),
    );
  }

  retrieveShipment(providerShipmentId: string): Promise<CarrierShipment> {
    return this.retried(async () =>
      shipmentOf((await this.client.Shipment.retrieve(providerShipmentId)) as unknown as Json),
    );
  }

  buy(providerShipmentId: string, rateId: string): Promise<CarrierShipment> {
    return this.once(async () =>
      shipmentOf((await this.client.Shipment.buy(providerShipmentId, rateId)) as unknown as Json),
    );
  }

  refund(providerShipmentId: string): Promise<CarrierShipment> {
    return this.once(async () =>
      shipmentOf((await this.client.Shipment.refund(providerShipmentId)) as unknown as Json),
    );
  }

  retrieveTracker(trackerId: string): Promise<CarrierTracker> {
    return this.retried(async () => {
      const tracker = trackerOf((await this.client.Tracker.retrieve(trackerId)) as unknown as Json);
      if (!tracker) throw new CarrierError('INVALID', `EasyPost tracker ${trackerId} came back incomplete`);
      return tracker;
    });
  }

  private async once<T>(op: () => Promise<T>): Promise<T> {
    const call: { retryAfter?: string } = {};
    try {
      return await this.calls.run(call, op);
    } catch (error) {
      throw easyPostError(error, call.retryAfter);
    }
  }

  private async retried<T>(op: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(op);
      } catch (error) {
        const e = error as CarrierError;
        const wait =
          e.kind === 'TRANSIENT'
            ? this.retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random())
            : e.kind === 'RATE_LIMITED'
              ? (e.details.retryAfterMs ?? this.retry.baseDelayMs)
              : undefined;
        if (wait === undefined || wait > this.retry.maxWaitMs || attempt >= this.retry.attempts) throw e;
        await sleep(wait);
      }
    }
  }
}

/** The part of superagent's Request the middleware uses. */
interface SuperagentRequest {
  timeout(options: { response: number; deadline: number }): SuperagentRequest;
  on(event: 'response', listener: (res: { headers?: Record<string, string | undefined> }) => void): SuperagentRequest;
}

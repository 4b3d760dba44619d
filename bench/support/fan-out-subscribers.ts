import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type {
  Envelope,
  EventDeliveries,
  ExpectedEvent,
  ReplyEnvelope,
  SubscriberProgress,
  SubscriberReport,
  SubscriberRequest,
  SubscriberSpec,
} from './fan-out-protocol.js';

/**
 * Child process of the fan-out benchmark: many graphql-ws subscribers, one socket and one
 * `orderStatusChanged` subscription each, as frontends would hold them. It records when each
 * event reached each subscriber (Date.now(), the wall clock the hub's `at` timestamps and the
 * benchmark process use too) and, on request, checks the deliveries against the events the
 * database says were committed. Started by `startSubscriberProcess` (fan-out-protocol.ts).
 */

interface Received {
  eventId: string;
  orderId: string;
  from: string;
  to: string;
  at: string;
}

interface Subscriber {
  client: Client;
  ids: number[];
  times: number[];
  errors: number;
  ended: boolean;
}

const subscribers: Subscriber[] = [];
/** The first copy of each event seen, by id. */
const firstSeen = new Map<number, Received>();
let inconsistentPayloads = 0;
const examples: string[] = [];
const MAX_EXAMPLES = 10;
const note = (text: string) => {
  if (examples.length < MAX_EXAMPLES) examples.push(text);
};
const delay = monitorEventLoopDelay({ resolution: 1 });

function subscribeOne(
  spec: SubscriberSpec,
  index: number,
  query: string,
  variables: Record<string, unknown>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const client = createClient({
      url: spec.url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${spec.key}` },
      retryAttempts: 0,
      on: {
        connected: () => {
          connected = true;
          resolve();
        },
        closed: (event) => {
          if (!connected)
            reject(
              new Error(
                `subscriber ${index}: socket closed before connection_ack (${(event as { code?: number }).code})`,
              ),
            );
        },
        error: (error) => {
          if (!connected) reject(new Error(`subscriber ${index}: ${(error as Error).message ?? String(error)}`));
        },
      },
    });
    const s: Subscriber = { client, ids: [], times: [], errors: 0, ended: false };
    subscribers.push(s);
    client.subscribe<{ orderStatusChanged?: Received }>(
      { query, variables },
      {
        next: (result) => {
          const now = Date.now();
          if (result.errors?.length) {
            s.errors += result.errors.length;
            note(`subscriber ${index}: ${result.errors.map((e) => e.message).join('; ')}`);
          }
          const e = result.data?.orderStatusChanged;
          if (!e) return;
          const id = Number(e.eventId);
          s.ids.push(id);
          s.times.push(now);
          const first = firstSeen.get(id);
          if (!first) firstSeen.set(id, e);
          else if (first.orderId !== e.orderId || first.from !== e.from || first.to !== e.to || first.at !== e.at) {
            inconsistentPayloads++;
            note(`event ${id}: subscriber ${index} got ${JSON.stringify(e)}, another ${JSON.stringify(first)}`);
          }
        },
        error: (error) => {
          s.errors++;
          s.ended = true;
          const text = Array.isArray(error)
            ? error.map((x: { message?: string }) => x.message).join('; ')
            : ((error as Error).message ?? (error as { reason?: string }).reason ?? String(error));
          note(`subscriber ${index} ended with an error: ${text}`);
        },
        complete: () => {
          s.ended = true;
          note(`subscriber ${index}: the server completed the subscription`);
        },
      },
    );
  });
}

async function connect(
  specs: SubscriberSpec[],
  query: string,
  variables: Record<string, unknown>,
  concurrency: number,
) {
  const failures: string[] = [];
  let next = 0;
  let connected = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      while (next < specs.length) {
        const index = next++;
        try {
          await subscribeOne(specs[index]!, index, query, variables);
          connected++;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    }),
  );
  return { connected, failures: failures.slice(0, MAX_EXAMPLES) };
}

function progress(): SubscriberProgress {
  let live = 0;
  let deliveries = 0;
  let errors = 0;
  let ended = 0;
  for (const s of subscribers) {
    if (s.ids.length > 0) live++;
    deliveries += s.ids.length;
    errors += s.errors;
    if (s.ended) ended++;
  }
  return { subscribers: subscribers.length, live, deliveries, errors, ended };
}

const ms = (ns: number) => Math.round((ns / 1e6) * 1000) / 1000;

/** Every subscriber against the expected events: each once, each order's in id order. */
function report(expected: ExpectedEvent[]): SubscriberReport {
  const orderOf = new Map<number, string>(expected.map((e) => [e.id, e.orderId]));
  const measuredOrders = new Set(expected.map((e) => e.orderId));
  const perEvent = new Map<number, EventDeliveries>();
  let missingDeliveries = 0;
  let subscribersMissingEvents = 0;
  let duplicateDeliveries = 0;
  let outOfOrderDeliveries = 0;
  let subscribersOutOfOrder = 0;
  const unexpected = new Set<number>();
  subscribers.forEach((s, index) => {
    const seen = new Set<number>();
    const lastIdOfOrder = new Map<string, number>();
    let outOfOrder = 0;
    for (let i = 0; i < s.ids.length; i++) {
      const id = s.ids[i]!;
      const orderId = orderOf.get(id);
      if (orderId === undefined) {
        const received = firstSeen.get(id);
        if (received && measuredOrders.has(received.orderId)) unexpected.add(id);
        continue;
      }
      const time = s.times[i]!;
      let stats = perEvent.get(id);
      if (!stats) {
        const r = firstSeen.get(id)!;
        stats = {
          id,
          orderId,
          from: r.from,
          to: r.to,
          at: r.at,
          subscribers: 0,
          duplicates: 0,
          firstMs: time,
          lastMs: time,
        };
        perEvent.set(id, stats);
      }
      if (seen.has(id)) {
        duplicateDeliveries++;
        stats.duplicates++;
        note(`subscriber ${index} received event ${id} again`);
        continue;
      }
      seen.add(id);
      stats.subscribers++;
      if (time < stats.firstMs) stats.firstMs = time;
      if (time > stats.lastMs) stats.lastMs = time;
      const last = lastIdOfOrder.get(orderId);
      if (last !== undefined && id < last) {
        outOfOrder++;
        note(`subscriber ${index} received event ${id} of order ${orderId} after event ${last}`);
      } else lastIdOfOrder.set(orderId, id);
    }
    const missing = expected.length - seen.size;
    if (missing > 0) {
      missingDeliveries += missing;
      subscribersMissingEvents++;
      if (examples.length < MAX_EXAMPLES) {
        const lost = expected
          .filter((e) => !seen.has(e.id))
          .slice(0, 5)
          .map((e) => e.id);
        note(`subscriber ${index} is missing ${missing} event(s), e.g. ${lost.join(', ')}`);
      }
    }
    if (outOfOrder > 0) {
      outOfOrderDeliveries += outOfOrder;
      subscribersOutOfOrder++;
    }
  });
  const p = progress();
  return {
    subscribers: subscribers.length,
    events: [...perEvent.values()].sort((a, b) => a.id - b.id),
    missingDeliveries,
    subscribersMissingEvents,
    duplicateDeliveries,
    outOfOrderDeliveries,
    subscribersOutOfOrder,
    inconsistentPayloads,
    unexpectedEvents: unexpected.size,
    examples: [...examples],
    errors: p.errors,
    ended: p.ended,
    eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
  };
}

async function handle(request: SubscriberRequest): Promise<unknown> {
  switch (request.type) {
    case 'connect':
      return connect(request.subscribers, request.query, request.variables, request.concurrency);
    case 'progress':
      return progress();
    case 'startMeasure':
      delay.reset();
      delay.enable();
      return {};
    case 'report':
      return report(request.expected);
    case 'close':
      await Promise.all(subscribers.map((s) => s.client.dispose()));
      delay.disable();
      return {};
  }
}

process.on('message', (raw) => {
  const { seq, ...request } = raw as Envelope;
  handle(request as SubscriberRequest).then(
    (result) => process.send?.({ seq, ok: true, result } satisfies ReplyEnvelope),
    (error: unknown) =>
      process.send?.({ seq, ok: false, error: (error as Error).stack ?? String(error) } satisfies ReplyEnvelope),
  );
});
// The parent going away ends this process too.
process.on('disconnect', () => process.exit(0));

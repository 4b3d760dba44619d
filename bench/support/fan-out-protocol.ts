import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The subscriber side of the fan-out benchmark runs in child processes (`fan-out-subscribers.ts`),
 * so that the cost of receiving a thousand sockets' messages is neither charged to the benchmark
 * process, which times the mutations and the Redis publishes, nor hidden from the CPU figures.
 * This file is the request/response protocol over the IPC channel, and the parent's handle.
 */

export interface SubscriberSpec {
  /** ws://127.0.0.1:<port>/graphql of the api process this subscriber connects to. */
  url: string;
  /** A real API key, sent in connection_init as `authorization: Bearer <key>`. */
  key: string;
}

/** Who an event is about, as the DB says; the report is computed for these events only. */
export interface ExpectedEvent {
  id: number;
  orderId: string;
}

/** One event as first received, and when its copies arrived (wall clock, ms since the epoch). */
export interface EventDeliveries {
  id: number;
  orderId: string;
  from: string;
  to: string;
  at: string;
  /** Subscribers that received it at least once. */
  subscribers: number;
  /** Copies beyond the first, summed over subscribers. */
  duplicates: number;
  firstMs: number;
  lastMs: number;
}

export interface SubscriberReport {
  subscribers: number;
  /** One entry per expected event that at least one subscriber received. */
  events: EventDeliveries[];
  /** Expected (subscriber, event) pairs never received. */
  missingDeliveries: number;
  subscribersMissingEvents: number;
  duplicateDeliveries: number;
  /** Deliveries whose id was lower than one already received for the same order by that subscriber. */
  outOfOrderDeliveries: number;
  subscribersOutOfOrder: number;
  /** Copies of one event whose fields differed from the first copy seen. */
  inconsistentPayloads: number;
  /** Events of the measured orders that the DB does not list (should be none). */
  unexpectedEvents: number;
  /** The first few problems, for the person reading the result. */
  examples: string[];
  /** GraphQL or socket errors, summed over subscribers; a few kept in `examples`. */
  errors: number;
  /** Subscriptions the server completed or ended with an error before the run finished. */
  ended: number;
  /** Event loop delay of this subscriber process since `startMeasure` (resolution 1 ms). */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export interface SubscriberProgress {
  subscribers: number;
  /** Subscribers that have received at least one event (so their subscription is live on the server). */
  live: number;
  deliveries: number;
  errors: number;
  ended: number;
}

export type SubscriberRequest =
  | {
      type: 'connect';
      subscribers: SubscriberSpec[];
      query: string;
      variables: Record<string, unknown>;
      concurrency: number;
    }
  | { type: 'progress' }
  | { type: 'startMeasure' }
  | { type: 'report'; expected: ExpectedEvent[] }
  | { type: 'close' };

export interface SubscriberResponses {
  connect: { connected: number; failures: string[] };
  progress: SubscriberProgress;
  startMeasure: Record<string, never>;
  report: SubscriberReport;
  close: Record<string, never>;
}

export type Envelope = { seq: number } & SubscriberRequest;
export type ReplyEnvelope = { seq: number } & ({ ok: true; result: unknown } | { ok: false; error: string });

/** A running subscriber process, spoken to by request and response. */
export interface SubscriberProcess {
  pid: number;
  request<T extends SubscriberRequest['type']>(
    request: Extract<SubscriberRequest, { type: T }>,
    timeoutMs?: number,
  ): Promise<SubscriberResponses[T]>;
  stop(): Promise<void>;
}

const OUTPUT_TAIL_CHARS = 4_000;

export function startSubscriberProcess(): SubscriberProcess {
  const script = fileURLToPath(new URL('./fan-out-subscribers.js', import.meta.url));
  const child = fork(script, [], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  if (child.pid === undefined) throw new Error('the subscriber process did not start');
  const pid = child.pid;
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let seq = 0;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const w of waiting.values())
        w.reject(new Error(`subscriber process exited (code ${code}, signal ${signal}):\n${tail}`));
      waiting.clear();
      resolve();
    }),
  );
  child.on('message', (raw) => {
    const reply = raw as ReplyEnvelope;
    const w = waiting.get(reply.seq);
    if (!w) return;
    waiting.delete(reply.seq);
    if (reply.ok) w.resolve(reply.result);
    else w.reject(new Error(`subscriber process: ${reply.error}`));
  });
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  return {
    pid,
    request(request, timeoutMs = 120_000) {
      if (hasExited()) return Promise.reject(new Error(`subscriber process has exited:\n${tail}`));
      const n = ++seq;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(n);
          reject(new Error(`subscriber process did not answer "${request.type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(n, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as never);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ seq: n, ...request } satisfies Envelope);
      });
    },
    async stop() {
      if (hasExited()) return;
      try {
        await this.request({ type: 'close' }, 10_000);
      } catch {
        // Killed below.
      }
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref());
      child.disconnect();
      if ((await Promise.race([exited, timer])) === 'timeout' && !hasExited()) {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

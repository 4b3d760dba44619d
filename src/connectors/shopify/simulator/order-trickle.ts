import { seededRandom } from './sim-faults.js';
import type { OrderSpec } from './sim-orders.js';

/** Anything that can take a new order (the simulator). */
export interface OrderSink {
  createOrder(spec: OrderSpec): unknown;
}

export interface TrickleOptions {
  /** SKUs to buy, with a unit price as a decimal string. */
  catalogue: { sku: string; price: string; title?: string }[];
  /** Mean time between orders. */
  everyMs: number;
  seed?: number;
  /** Most lines per order and most units per line. */
  maxLines?: number;
  maxQuantity?: number;
}

/**
 * Places a steady, seeded stream of realistic orders (1–3 lines, 1–2 units) at jittered
 * intervals, for the sandbox and demos. Returns a function that stops it.
 */
export function startOrderTrickle(sink: OrderSink, options: TrickleOptions): () => void {
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    // Jitter of ±50 % so orders do not arrive on a metronome.
    timer = setTimeout(place, options.everyMs * (0.5 + random()));
    timer.unref();
  };
  const place = () => {
    const lineCount = 1 + Math.floor(random() * (options.maxLines ?? 3));
    const chosen = new Map<string, OrderSpec['lines'][number]>();
    for (let i = 0; i < lineCount; i++) {
      const item = pick(options.catalogue);
      const quantity = 1 + Math.floor(random() * (options.maxQuantity ?? 2));
      chosen.set(item.sku, { sku: item.sku, quantity, price: item.price, title: item.title });
    }
    sink.createOrder({ lines: [...chosen.values()] });
    next();
  };
  next();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

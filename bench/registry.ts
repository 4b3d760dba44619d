import type { Benchmark } from './support/benchmark.js';
import { channelBackfillBenchmark } from './channel-backfill.bench.js';
import { channelIngestBenchmark } from './channel-ingest.bench.js';
import { fanOutBenchmark } from './fan-out.bench.js';
import { meBenchmark } from './me.bench.js';
import { memoryBenchmark } from './memory.bench.js';
import { ordersListBenchmark } from './orders-list.bench.js';
import { placeOrderBenchmark } from './place-order.bench.js';
import { placeOrderStripeBenchmark } from './place-order-stripe.bench.js';
import { reserveBenchmark } from './reserve.bench.js';
import { stockPropagationBenchmark } from './stock-propagation.bench.js';
import { webhookAcksBenchmark } from './webhook-acks.bench.js';

/** Every benchmark `npm run bench -- <name>` can run, by name. */
export const benchmarks: Record<string, Benchmark> = {
  'channel-backfill': channelBackfillBenchmark,
  'channel-ingest': channelIngestBenchmark,
  'fan-out': fanOutBenchmark,
  me: meBenchmark,
  memory: memoryBenchmark,
  'orders-list': ordersListBenchmark,
  'place-order': placeOrderBenchmark,
  'place-order-stripe': placeOrderStripeBenchmark,
  reserve: reserveBenchmark,
  'stock-propagation': stockPropagationBenchmark,
  'webhook-acks': webhookAcksBenchmark,
};

import type { GraphQLSchema } from 'graphql';
import type { FuzzPools } from './fuzz-pools.js';
import { toJson } from './fuzz-values.js';
import { OperationGenerator, type FuzzOperation } from './operation-generator.js';
import { Random } from './random.js';

/** Who sends an operation: the Authorization header it carries, if any. */
export interface FuzzCaller {
  name: string;
  authorization?: string;
}

/** A response the fuzzer counts as a server fault: status ≥ 500, an INTERNAL error, or no response. */
export interface FuzzFailure {
  index: number;
  field: string;
  caller: string;
  status: number;
  code: string;
  message: string;
  hostile: string[];
  requestId: string;
  query: string;
  variables?: string;
}

export interface FuzzTally {
  seed: number;
  operations: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  byField: Record<string, number>;
  /** Requests that got no HTTP response at all (connection reset, timeout). */
  dropped: number;
  /** The slowest operations, slowest first: a value cheap to send but dear to answer shows here. */
  slowest: { ms: number; index: number; field: string; hostile: string[] }[];
  failures: FuzzFailure[];
}

export interface FuzzRunOptions {
  base: string;
  schema: GraphQLSchema;
  pools: FuzzPools;
  admin: FuzzCaller;
  /** Lower roles, no key, malformed keys: sent a share of the operations. */
  others: FuzzCaller[];
  operations: number;
  seed: number;
  /** Requests in flight at once; operations are still generated in a fixed order. */
  concurrency?: number;
  onProgress?: (tally: FuzzTally) => void;
}

const INTERNAL_CODES = new Set(['INTERNAL', 'INTERNAL_SERVER_ERROR']);
/** A hub that takes longer than this over one request is as good as down for its caller. */
const REQUEST_TIMEOUT_MS = 10_000;
const SLOWEST_KEPT = 8;

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

/**
 * Sends `operations` generated operations to a running hub and counts what came back.
 * Operations are generated batch by batch from one seeded PRNG and the pools are fed in
 * operation order, so the same seed sends the same sequence of operations again.
 */
export async function runFuzz(options: FuzzRunOptions): Promise<FuzzTally> {
  const rng = new Random(options.seed);
  const generator = new OperationGenerator(options.schema, options.pools);
  const concurrency = options.concurrency ?? 4;
  const tally: FuzzTally = {
    seed: options.seed,
    operations: 0,
    byStatus: {},
    byCode: {},
    byField: {},
    dropped: 0,
    slowest: [],
    failures: [],
  };
  for (let start = 0; start < options.operations; start += concurrency) {
    const batch: { op: FuzzOperation; caller: FuzzCaller }[] = [];
    for (let i = start; i < Math.min(start + concurrency, options.operations); i++) {
      const op = generator.next(rng, i);
      batch.push({ op, caller: rng.chance(0.8) ? options.admin : rng.pick(options.others) });
    }
    const results = await Promise.all(batch.map(({ op, caller }) => send(options.base, op, caller)));
    results.forEach((result, i) => record(tally, options.pools, batch[i]!.op, batch[i]!.caller, result));
    options.onProgress?.(tally);
  }
  return tally;
}

type SendResult = { status: number; ms: number; body?: GraphQLBody; error?: string };

async function send(base: string, op: FuzzOperation, caller: FuzzCaller): Promise<SendResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const body = `{"query":${JSON.stringify(op.query)}${op.variables ? `,"variables":${toJson(op.variables)}` : ''}}`;
  try {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestIdOf(op),
        ...(caller.authorization !== undefined ? { authorization: caller.authorization } : {}),
      },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    try {
      return { status: res.status, ms: ms(), body: JSON.parse(text) as GraphQLBody };
    } catch {
      return { status: res.status, ms: ms(), error: `non-JSON body: ${text.slice(0, 200)}` };
    }
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    return { status: 0, ms: ms(), error: `no response: ${e.name} ${e.cause?.code ?? e.cause?.message ?? e.message}` };
  }
}

function requestIdOf(op: FuzzOperation): string {
  return `fuzz-${op.index}`;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function record(tally: FuzzTally, pools: FuzzPools, op: FuzzOperation, caller: FuzzCaller, result: SendResult): void {
  tally.operations++;
  bump(tally.byField, `${op.operationType}.${op.field}`);
  if (tally.slowest.length < SLOWEST_KEPT || result.ms > tally.slowest.at(-1)!.ms) {
    tally.slowest.push({
      ms: result.ms,
      index: op.index,
      field: `${op.operationType}.${op.field}`,
      hostile: op.hostile,
    });
    tally.slowest.sort((a, b) => b.ms - a.ms).splice(SLOWEST_KEPT);
  }
  const failure = (code: string, message: string): void => {
    tally.failures.push({
      index: op.index,
      field: `${op.operationType}.${op.field}`,
      caller: caller.name,
      status: result.status,
      code,
      message,
      hostile: op.hostile,
      requestId: requestIdOf(op),
      query: op.query,
      ...(op.variables ? { variables: toJson(op.variables) } : {}),
    });
  };
  if (result.status === 0) {
    tally.dropped++;
    bump(tally.byStatus, 'no response');
    failure('NO_RESPONSE', result.error ?? '');
    return;
  }
  bump(tally.byStatus, `${Math.floor(result.status / 100)}xx`);
  if (!result.body) {
    bump(tally.byCode, 'non-JSON body');
    if (result.status >= 500) failure('NON_JSON', result.error ?? '');
    return;
  }
  const errors = result.body.errors ?? [];
  if (errors.length === 0) bump(tally.byCode, 'none (data)');
  for (const e of errors) {
    const code = typeof e.extensions?.code === 'string' ? e.extensions.code : 'no code';
    bump(tally.byCode, code);
    if (INTERNAL_CODES.has(code)) failure(code, e.message ?? '');
  }
  if (result.status >= 500 && !errors.some((e) => INTERNAL_CODES.has(String(e.extensions?.code))))
    failure(`HTTP ${result.status}`, errors[0]?.message ?? '');
  const data = result.body.data?.[op.field];
  if (data !== undefined) pools.harvest(data, op.returnType);
}

import autocannon from 'autocannon';
import { recordedRun, type LoadFigures } from './load.js';

/**
 * Load whose every request has a body of its own (a new order each time), checked answer by
 * answer: load.ts sends one fixed body and compares byte for byte, which cannot work when every
 * answer carries a new id.
 */
export interface VariedLoadSpec {
  url: string;
  headers: Record<string, string>;
  /** Called once per request, in the load generator, for the body to send. */
  makeBody(): string;
  /** Called once per request, after makeBody, when each request needs headers of its own (else `headers`). */
  makeHeaders?(): Record<string, string>;
  /** undefined when the answer is right, else a short reason; answers are counted by reason. */
  check(status: number, body: string): string | undefined;
  connections: number;
  durationS: number;
}

export interface VariedLoadFigures extends LoadFigures {
  /** Wrong answers (non-2xx included) by reason; empty when every answer was right. */
  wrongAnswers: Record<string, number>;
  /** The first few wrong bodies, cut short, to see what went wrong. */
  sampleWrongBodies: string[];
}

export interface VariedLoadHooks {
  /** Runs just before the recorded run starts (after the warm-up): start samplers here. */
  onMeasureStart?(): void;
  /** Every answer of the recorded run, right or wrong. */
  onAnswer?(right: boolean): void;
}

const SAMPLE_BODIES = 5;

interface Tally {
  wrong: Map<string, number>;
  wrong2xx: number;
  samples: string[];
}

function fire(
  spec: VariedLoadSpec,
  tally: Tally,
  onResponseTime?: (ms: number) => void,
  onAnswer?: (right: boolean) => void,
): Promise<autocannon.Result> {
  const path = new URL(spec.url).pathname;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        duration: spec.durationS,
        requests: [
          {
            method: 'POST',
            path,
            headers: spec.headers,
            setupRequest: (request) => {
              const body = spec.makeBody();
              return spec.makeHeaders ? { ...request, body, headers: spec.makeHeaders() } : { ...request, body };
            },
            onResponse: (status, body) => {
              const reason = spec.check(status, body);
              onAnswer?.(reason === undefined);
              if (reason === undefined) return;
              tally.wrong.set(reason, (tally.wrong.get(reason) ?? 0) + 1);
              if (status >= 200 && status < 300) tally.wrong2xx++;
              if (tally.samples.length < SAMPLE_BODIES) tally.samples.push(`HTTP ${status} ${body.slice(0, 300)}`);
            },
          },
        ],
      },
      (err: unknown, result: autocannon.Result) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result),
    );
    if (onResponseTime)
      instance.on('response', (_client, _status, _bytes, responseTime) => onResponseTime(responseTime));
  });
}

/**
 * Loads for `warmupS` unrecorded (its answers are still checked), then for `spec.durationS`
 * recorded; `serverPid` is the process answering. `mismatches` counts 2xx answers that were
 * wrong; `wrongAnswers` says why, for every wrong answer of either run.
 */
export async function measureVariedLoad(
  spec: VariedLoadSpec,
  warmupS: number,
  serverPid: number,
  hooks: VariedLoadHooks = {},
): Promise<VariedLoadFigures> {
  const tally: Tally = { wrong: new Map(), wrong2xx: 0, samples: [] };
  let warmupNon2xx = 0;
  let warmupErrors = 0;
  if (warmupS > 0) {
    const warm = await fire({ ...spec, durationS: warmupS }, tally);
    warmupNon2xx = warm.non2xx;
    warmupErrors = warm.errors;
  }
  hooks.onMeasureStart?.();
  const figures = await recordedRun(spec.connections, serverPid, (onResponseTime) =>
    fire(spec, tally, onResponseTime, hooks.onAnswer),
  );
  return {
    ...figures,
    // Warm-up failures count too: a wrong answer is wrong whenever it happens.
    non2xx: figures.non2xx + warmupNon2xx,
    errors: figures.errors + warmupErrors,
    mismatches: tally.wrong2xx,
    wrongAnswers: Object.fromEntries(tally.wrong),
    sampleWrongBodies: tally.samples,
  };
}

/** Why a measurement cannot be trusted, or undefined when every request (warm-up included) got a right answer. */
export function variedLoadProblem(label: string, f: VariedLoadFigures): string | undefined {
  if (f.non2xx + f.errors + f.timeouts + f.mismatches === 0 && f.requests > 0) return undefined;
  const reasons = Object.entries(f.wrongAnswers)
    .map(([reason, n]) => `${n}× ${reason}`)
    .join('; ');
  return `${label}: ${f.requests} recorded responses; ${f.non2xx} non-2xx, ${f.errors} connection errors (${f.timeouts} timeouts), ${f.mismatches} wrong 2xx answers (warm-up included)${reasons ? `: ${reasons}` : ''}`;
}

import type { Redis } from 'ioredis';
import type { CallBudget } from '../connectors/connector.js';

/*
 * The bucket as the platform keeps it, in Redis so every worker of every process draws on the
 * same one: tokens, the time they were counted, and the rate the platform last announced
 * (remembered, so a job's first call, before it has seen an answer, refills at that rate and
 * not the published one), refilled on each draw. Atomic (one script), so concurrent pulls never
 * both take the last token. Returns 0 when a token was taken, else the milliseconds until one
 * will be there (nothing taken).
 */
const TAKE = `
local tokens = tonumber(redis.call('HGET', KEYS[1], 't'))
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
local rate = tonumber(redis.call('HGET', KEYS[1], 'r'))
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local announced = tonumber(ARGV[4])
if announced > 0 then rate = announced end
if rate == nil then rate = tonumber(ARGV[1]) end
if tokens == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local need = 1 + rate * tonumber(ARGV[5]) / 1000
local wait = 0
if tokens >= need then tokens = tokens - 1 else wait = math.ceil((need - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now), 'r', tostring(rate))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 60000)
return wait
`;

/**
 * We count a call when we take it, the platform when it arrives; a call slower on the way than
 * the one before would reach a platform bucket that has refilled less than ours says. A token
 * is therefore taken only once this much more has refilled (at Amazon's 0.0056/s, 0.1 % of one).
 */
export const LATENCY_MARGIN_MS = 250;

/**
 * Takes one call from the budget before the call is made, so the platform's bucket is never
 * overdrawn by us (a 429 is then the platform's doing, not our plan's). The clock is Redis's own,
 * so workers on machines whose clocks differ agree.
 */
export async function takeCall(redis: Redis, prefix: string, budget: CallBudget): Promise<number> {
  const [seconds, micros] = await redis.time();
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const wait = await redis.eval(
    TAKE,
    1,
    `${prefix}:budget:${budget.key}`,
    String(budget.ratePerSecond),
    String(budget.burst),
    String(now),
    String(budget.announcedRatePerSecond ?? 0),
    String(LATENCY_MARGIN_MS),
  );
  return Number(wait);
}

/**
 * Image budgets in Redis: the policy's fixed windows shared by every instance. `take` is one Lua script (add
 * unless the total would pass the limit), so concurrent submits through different instances never overspend.
 * A window's counter expires with the window. Windows follow the instances' clocks (keep them in sync, NTP).
 */
import { type BudgetStore, type BudgetTake, SpendingPolicyError } from '@seedream-kit/core/server';
import type { Redis } from 'ioredis';

export interface RedisBudgetStoreOptions {
  /** Key prefix (default `seedream:`). */
  prefix?: string;
  /** The clock windows are cut from (tests). Default `Date.now`. */
  now?: () => number;
}

/** KEYS: counter. ARGV: amount, limit, ttl ms. The new total, or -1 when it would pass the limit. */
const TAKE = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if count + amount > tonumber(ARGV[2]) then return -1 end
local total = redis.call('INCRBY', KEYS[1], amount)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return total
`;

/** KEYS: counter. ARGV: amount. Gives back, never below zero, only while the window's counter lives. */
const GIVE = `
local count = tonumber(redis.call('GET', KEYS[1]))
if not count then return 0 end
redis.call('SET', KEYS[1], math.max(0, count - tonumber(ARGV[1])), 'KEEPTTL')
return 1
`;

type ScriptedRedis = Redis & {
  seedreamBudgetTake(key: string, amount: number, limit: number, ttlMs: number): Promise<number>;
  seedreamBudgetGive(key: string, amount: number): Promise<number>;
};

/** The budget store is unreachable: the request is refused with 503, never let through unbudgeted. */
export function budgetUnavailable(error: unknown): SpendingPolicyError {
  const refusal = new SpendingPolicyError('unavailable', 503, 'The budget store is unreachable; try again shortly');
  Object.defineProperty(refusal, 'cause', { value: error, enumerable: false });
  return refusal;
}

export class RedisBudgetStore implements BudgetStore {
  readonly #redis: ScriptedRedis;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(redis: Redis, options: RedisBudgetStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'seedream:';
    this.#now = options.now ?? Date.now;
    const scripted = redis as ScriptedRedis;
    if (typeof scripted.seedreamBudgetTake !== 'function') {
      redis.defineCommand('seedreamBudgetTake', { numberOfKeys: 1, lua: TAKE });
      redis.defineCommand('seedreamBudgetGive', { numberOfKeys: 1, lua: GIVE });
    }
    this.#redis = scripted;
  }

  #key(key: string, windowStart: number): string {
    return `${this.#prefix}budget:${key}@${windowStart}`;
  }

  async take(key: string, amount: number, limit: number, windowMs: number): Promise<BudgetTake> {
    const now = this.#now();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const windowEnd = windowStart + windowMs;
    let total: number;
    try {
      // Kept a second past the window's end, so a give-back at the boundary still finds it.
      total = await this.#redis.seedreamBudgetTake(this.#key(key, windowStart), amount, limit, windowEnd - now + 1000);
    } catch (error) {
      throw budgetUnavailable(error);
    }
    return total < 0 ? { ok: false, retryAfterMs: windowEnd - now } : { ok: true, windowStart };
  }

  async give(key: string, amount: number, windowStart: number): Promise<void> {
    try {
      await this.#redis.seedreamBudgetGive(this.#key(key, windowStart), amount);
    } catch (error) {
      throw budgetUnavailable(error);
    }
  }
}

/**
 * Image budgets in fixed windows: per caller and one global ceiling. The store is an interface so that N server
 * instances can share one (a Redis store implements the same two calls); the in-memory store is the default.
 */

export type BudgetTake = { ok: true; windowStart: number } | { ok: false; retryAfterMs: number };

export interface BudgetStore {
  /** Adds `amount` to counter `key` in the current window of `windowMs`, unless the total would pass `limit`. */
  take(key: string, amount: number, limit: number, windowMs: number): BudgetTake | Promise<BudgetTake>;
  /** Gives back `amount` taken in the window that started at `windowStart` (a no-op once that window is over). */
  give(key: string, amount: number, windowStart: number): void | Promise<void>;
}

export interface BudgetWindow {
  /** Images allowed per window. */
  images: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

/** Counters in this process's memory: right for one instance; N instances need a shared store. */
export class MemoryBudgetStore implements BudgetStore {
  readonly #counters = new Map<string, { count: number; windowStart: number; windowEnd: number }>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  take(key: string, amount: number, limit: number, windowMs: number): BudgetTake {
    const now = this.#now();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    this.#sweep(now);
    const slot = `${key}@${windowStart}`;
    const counter = this.#counters.get(slot) ?? { count: 0, windowStart, windowEnd: windowStart + windowMs };
    if (counter.count + amount > limit) return { ok: false, retryAfterMs: counter.windowEnd - now };
    counter.count += amount;
    this.#counters.set(slot, counter);
    return { ok: true, windowStart };
  }

  give(key: string, amount: number, windowStart: number): void {
    const counter = this.#counters.get(`${key}@${windowStart}`);
    if (counter) counter.count = Math.max(0, counter.count - amount);
  }

  /** Drops finished windows once the map grows, so a stream of one-off callers cannot grow it forever. */
  #sweep(now: number): void {
    if (this.#counters.size < 1024) return;
    for (const [slot, counter] of this.#counters) if (counter.windowEnd <= now) this.#counters.delete(slot);
  }
}

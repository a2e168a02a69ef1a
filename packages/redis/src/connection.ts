/**
 * How the stores talk to Redis while it is away. ioredis reconnects by itself; what matters is how long a store
 * call may wait meanwhile. A request must fail fast and clearly (core answers 503 `unavailable`), never hang:
 *
 * - `enableOfflineQueue: true`: commands sent while connecting (start-up, a blip) wait for the connection
 *   instead of failing at once;
 * - `maxRetriesPerRequest: 0` with reconnect attempts every 50 ms growing to at most 500 ms: a command waiting for
 *   a lost connection is rejected at the next failed attempt, so within about half a second, and a Redis that is
 *   back is found within half a second too. A command in flight when the connection drops is rejected, not
 *   re-sent (the writes that matter are retried by core's runner; a request gets its 503 at once);
 * - `commandTimeout: 5 000` ms: the backstop when the socket is half-open (a host that vanished without a reset).
 *
 * After Redis is back, the same client (and the same stores) work again: nothing to recreate.
 */
import type { Redis, RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  enableOfflineQueue: true,
  maxRetriesPerRequest: 0,
  commandTimeout: 5000,
  connectTimeout: 5000,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** (attempt - 1), 500),
});

/** Redis is unreachable (or answered with an error): the store call did not happen. Core answers 503 `unavailable`. */
export class RedisStoreError extends Error {
  override readonly name = 'RedisStoreError';
  readonly kind = 'unavailable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Runs a Redis call, turning any failure into a `RedisStoreError` (the cause kept for logs). */
export async function guarded<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RedisStoreError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new RedisStoreError(`Redis store: ${what} failed (${reason})`, { cause: error });
  }
}

/** QUIT, then wait for the socket to be gone (`status === 'end'`); a dead connection is just dropped. */
export async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
  await redis.quit().catch(() => redis.disconnect());
  if ((redis.status as string) !== 'end') await ended;
}

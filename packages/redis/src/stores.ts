/** One call for the three stores over one connection (plus the subscriber that waiting reads share). */
import { Redis, type RedisOptions } from 'ioredis';
import { RedisBudgetStore } from './budget-store.js';
import { DEFAULT_REDIS_OPTIONS, quit } from './connection.js';
import { RedisJobStore } from './job-store.js';
import { RedisUploadStore, type RedisUploadStoreOptions } from './upload-store.js';

export interface RedisStoresOptions {
  /** `redis://[:password@]host:port[/db]`. Default `redis://127.0.0.1:6379`. Ignored when `redis` is given. */
  url?: string;
  /** Your own ioredis client. `close()` then leaves it open (it closes only what the stores opened). */
  redis?: Redis;
  /** Merged over `DEFAULT_REDIS_OPTIONS` for the connections opened from `url`. */
  redisOptions?: RedisOptions;
  /** Key prefix of every key and channel (default `seedream:`): several apps can share one Redis. */
  prefix?: string;
  /** How long a running job's record lives if it is never finished. Default 86 400 s. */
  orphanTtlSeconds?: number;
  /** Upload handles: time to live and the most live uploads per caller. */
  uploads?: Pick<RedisUploadStoreOptions, 'ttlSeconds' | 'maxPerOwner'>;
  /**
   * Connection errors (Redis down, refused, reconnecting), for your logs. Store calls reject meanwhile anyway
   * (core answers 503 `unavailable`). Default: ignored (ioredis would print each one).
   */
  onError?: (error: Error) => void;
}

export interface RedisStores {
  /** For `createJobs({ store })`. */
  jobs: RedisJobStore;
  /** For `createSpendingPolicy({ budget: { store } })`. */
  budget: RedisBudgetStore;
  /** For `createSpendingPolicy({ uploads })` and `createUploadHandler({ store })`. */
  uploads: RedisUploadStore;
  /** The main connection. */
  redis: Redis;
  /** Closes the subscriber and, unless you passed `redis`, the main connection. */
  close(): Promise<void>;
}

export function createRedisStores(options: RedisStoresOptions = {}): RedisStores {
  const onError = options.onError ?? (() => {});
  const connectionOptions: RedisOptions = { ...DEFAULT_REDIS_OPTIONS, ...options.redisOptions };
  const owned = options.redis === undefined;
  const redis = options.redis ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', connectionOptions);
  if (owned) redis.on('error', onError);
  const prefix = options.prefix ?? 'seedream:';
  const jobs = new RedisJobStore(redis, {
    prefix,
    ...(options.orphanTtlSeconds !== undefined ? { orphanTtlSeconds: options.orphanTtlSeconds } : {}),
    subscriber: () => {
      const sub = redis.duplicate();
      sub.on('error', onError);
      return sub;
    },
  });
  const budget = new RedisBudgetStore(redis, { prefix });
  const uploads = new RedisUploadStore(redis, { prefix, ...options.uploads });
  let closing: Promise<void> | undefined;
  return {
    jobs,
    budget,
    uploads,
    redis,
    close() {
      closing ??= (async () => {
        await jobs.close();
        if (owned) await quit(redis);
      })();
      return closing;
    },
  };
}

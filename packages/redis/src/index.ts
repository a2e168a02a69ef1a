/**
 * @seedream-kit/redis: the stores of @seedream-kit/core/server in Redis, so N server instances behave as one —
 * durable jobs (records and their event logs as Redis Streams, idempotency keys, heartbeats, cancel requests),
 * the spending policy's image budgets and reference-image uploads.
 */
export { createRedisStores } from './stores.js';
export type { RedisStores, RedisStoresOptions } from './stores.js';
export { RedisJobStore } from './job-store.js';
export type { RedisJobStoreOptions } from './job-store.js';
export { RedisBudgetStore } from './budget-store.js';
export type { RedisBudgetStoreOptions } from './budget-store.js';
export { RedisUploadStore } from './upload-store.js';
export type { RedisUploadStoreOptions } from './upload-store.js';
export { DEFAULT_REDIS_OPTIONS, RedisStoreError } from './connection.js';

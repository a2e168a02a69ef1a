/**
 * Reference-image uploads in Redis, so a handle uploaded through one instance resolves on every other: a hash per
 * upload (owner, type, bytes) expiring with its handle, and a sorted set per owner to keep at most
 * `maxPerOwner` live uploads (the oldest go first). Unlike the in-memory store there is no total byte cap here:
 * bound Redis itself (`maxmemory`); every upload expires after `ttlSeconds` anyway.
 */
import { randomBytes } from 'node:crypto';
import { SpendingPolicyError, type StoredUpload, type UploadStore, isUploadHandle } from '@seedream-kit/core/server';
import type { Redis } from 'ioredis';
import { checkExec } from './job-store.js';

export interface RedisUploadStoreOptions {
  /** Key prefix (default `seedream:`). */
  prefix?: string;
  /** Seconds a handle stays valid. Default 3 600. */
  ttlSeconds?: number;
  /** Most live uploads per caller; the oldest goes first. Default 20. */
  maxPerOwner?: number;
  now?: () => number;
}

function uploadsUnavailable(error: unknown): SpendingPolicyError {
  const refusal = new SpendingPolicyError('unavailable', 503, 'The upload store is unreachable; try again shortly');
  Object.defineProperty(refusal, 'cause', { value: error, enumerable: false });
  return refusal;
}

export class RedisUploadStore implements UploadStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #maxPerOwner: number;
  readonly #now: () => number;
  #sequence = 0;

  constructor(redis: Redis, options: RedisUploadStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'seedream:';
    this.#ttlMs = (options.ttlSeconds ?? 3600) * 1000;
    this.#maxPerOwner = Math.max(1, options.maxPerOwner ?? 20);
    this.#now = options.now ?? Date.now;
  }

  #upload(handle: string): string {
    return `${this.#prefix}upload:${handle}`;
  }
  #owner(owner: string): string {
    return `${this.#prefix}uploads-of:${owner}`;
  }

  async put(owner: string, bytes: Uint8Array, type: string): Promise<StoredUpload> {
    const handle = `upload:${randomBytes(24).toString('base64url')}`;
    const now = this.#now();
    const expiresAt = now + this.#ttlMs;
    const index = this.#owner(owner);
    try {
      const replies = await this.#redis
        .multi()
        .hset(this.#upload(handle), 'owner', owner, 'type', type, 'bytes', Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        .pexpire(this.#upload(handle), this.#ttlMs)
        // Scored by expiry in µs plus a sequence: uploads made in one millisecond still keep their order (with ms
        // scores they tied and Redis ordered them by handle, so "the oldest" was random).
        .zadd(index, expiresAt * 1000 + (this.#sequence++ % 1000), handle)
        .zremrangebyscore(index, '-inf', now * 1000)
        .pexpire(index, this.#ttlMs)
        .zrange(index, '0', String(-(this.#maxPerOwner + 1)))
        .exec()
        .then(checkExec);
      const evicted = (replies[5] as string[] | undefined) ?? [];
      if (evicted.length > 0) {
        await this.#redis
          .multi()
          .del(...evicted.map((old) => this.#upload(old)))
          .zrem(index, ...evicted)
          .exec()
          .then(checkExec);
      }
    } catch (error) {
      throw uploadsUnavailable(error);
    }
    return { handle, bytes: bytes.byteLength, type, expiresAt };
  }

  async get(handle: string, owner: string): Promise<Uint8Array | undefined> {
    if (!isUploadHandle(handle)) return undefined;
    let fields: Array<Buffer | null>;
    try {
      fields = await this.#redis.hmgetBuffer(this.#upload(handle), 'owner', 'bytes');
    } catch (error) {
      throw uploadsUnavailable(error);
    }
    const [who, bytes] = fields;
    if (!who || !bytes || who.toString('utf8') !== owner) return undefined;
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

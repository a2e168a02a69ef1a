/**
 * What only the Redis stores have to prove, against a real `redis-server` started here: budgets and uploads shared
 * by two connections (two server instances), and Redis going away mid-run. While it is down every store call
 * rejects, quickly and typed (core answers 503 `unavailable`); after it comes back (empty: it persisted nothing)
 * the same store objects work, a waiting follower resumes, and a running job goes on to its end with every image
 * its follower had not seen yet delivered once.
 *
 * The behaviour both job stores share is in reliability/test/job-store-contract.test.ts.
 */
import { SeedreamClient } from '@seedream-kit/core';
import {
  createJobs,
  createSpendingPolicy,
  isSpendingPolicyError,
  isUploadHandle,
  type JobEntry,
  type JobEvent,
  type JobRecord,
  newJobId,
  type SeedreamJobs,
} from '@seedream-kit/core/server';
import { type Emulator, startEmulator } from '@seedream-kit/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, RedisBudgetStore, RedisStoreError, type RedisStores, RedisUploadStore } from '../src/index.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

let server: RedisServer;
const opened: RedisStores[] = [];
let namespace = 0;

function stores(options: { prefix?: string } = {}): RedisStores {
  const made = createRedisStores({ url: server.url, prefix: options.prefix ?? `t${++namespace}:` });
  opened.push(made);
  return made;
}

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(opened.map((made) => made.close()));
  await server?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WAIT_FOREVER = 10 * 60_000;

/** Liveness, not speed: a store call must settle at all while Redis is gone (a hang fails with this message). */
function settles<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} neither resolved nor rejected within 20 s`)), 20_000);
    }),
  ]);
}

/** Retries until the call succeeds (Redis coming back), within a liveness bound. */
async function eventually<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

function record(overrides: Partial<JobRecord> = {}): JobRecord {
  const now = Date.now();
  return { id: newJobId(), owner: 'alice', state: 'running', instance: 'a', createdAt: now, heartbeatAt: now, stream: true, ...overrides };
}
const image = (index: number): JobEvent => ({ type: 'image', image: { index, url: `https://images.example/${index}.png` } });

describe('RedisBudgetStore', () => {
  it('two instances never overspend one window under concurrent takes; give-backs free room; the next window starts at zero', async () => {
    const a = stores({ prefix: 'budget1:' });
    const b = stores({ prefix: 'budget1:' });
    const windowMs = 60_000;
    const takes = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).budget.take('caller:alice', 1, 10, windowMs)));
    const granted = takes.filter((take) => take.ok);
    expect(granted).toHaveLength(10);
    for (const take of takes) {
      if (!take.ok) expect(take.retryAfterMs).toBeGreaterThan(0);
      if (!take.ok) expect(take.retryAfterMs).toBeLessThanOrEqual(windowMs);
    }
    const windowStart = (granted[0] as { windowStart: number }).windowStart;
    expect(await a.budget.take('caller:alice', 1, 10, windowMs)).toMatchObject({ ok: false });
    await b.budget.give('caller:alice', 3, windowStart);
    const after = await Promise.all(Array.from({ length: 5 }, () => a.budget.take('caller:alice', 1, 10, windowMs)));
    expect(after.filter((take) => take.ok)).toHaveLength(3);
    // Another key is another counter; a give-back never goes below zero.
    await a.budget.give('caller:bob', 5, windowStart);
    expect(await a.budget.take('caller:bob', 10, 10, windowMs)).toMatchObject({ ok: true });
    expect(await a.budget.take('caller:bob', 1, 10, windowMs)).toMatchObject({ ok: false });
    // The counter expires with its window.
    const ttl = await a.redis.pttl(`budget1:budget:caller:alice@${windowStart}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(windowMs + 1000);
  });

  it('fixed windows follow the clock: a full window refuses, the next one grants', async () => {
    const made = stores();
    let now = 1_000_000_000_000;
    const budget = new RedisBudgetStore(made.redis, { prefix: `clock${namespace}:`, now: () => now });
    expect(await budget.take('global', 4, 4, 10_000)).toEqual({ ok: true, windowStart: 1_000_000_000_000 });
    now += 2500;
    expect(await budget.take('global', 1, 4, 10_000)).toEqual({ ok: false, retryAfterMs: 7500 });
    now += 7500;
    expect(await budget.take('global', 4, 4, 10_000)).toEqual({ ok: true, windowStart: 1_000_000_010_000 });
    expect(await budget.take('global', 5, 4, 10_000)).toMatchObject({ ok: false }); // more than the limit at once
  });
});

describe('RedisUploadStore', () => {
  it('a handle uploaded through one instance resolves on another, only for its owner, until it expires', async () => {
    const a = stores({ prefix: 'up1:' });
    const b = stores({ prefix: 'up1:' });
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const stored = await a.uploads.put('alice', bytes, 'image/png');
    expect(isUploadHandle(stored.handle)).toBe(true);
    expect(stored).toMatchObject({ bytes: 8, type: 'image/png' });
    expect(stored.expiresAt).toBeGreaterThan(Date.now());
    expect(await b.uploads.get(stored.handle, 'alice')).toEqual(bytes);
    expect(await b.uploads.get(stored.handle, 'bob')).toBeUndefined();
    expect(await b.uploads.get('upload:not-a-handle', 'alice')).toBeUndefined();
    expect(await b.uploads.get(`upload:${'A'.repeat(32)}`, 'alice')).toBeUndefined();

    const short = new RedisUploadStore(a.redis, { prefix: 'up1:', ttlSeconds: 0.3 });
    const brief = await short.put('alice', bytes, 'image/png');
    expect(await b.uploads.get(brief.handle, 'alice')).toEqual(bytes);
    await sleep(600);
    expect(await b.uploads.get(brief.handle, 'alice')).toBeUndefined();
  });

  it('keeps at most maxPerOwner live uploads per caller, dropping the oldest', async () => {
    const made = stores();
    const uploads = new RedisUploadStore(made.redis, { prefix: `cap${namespace}:`, maxPerOwner: 2 });
    const handles: string[] = [];
    for (let i = 0; i < 4; i++) handles.push((await uploads.put('alice', new Uint8Array([i]), 'image/png')).handle);
    const bob = await uploads.put('bob', new Uint8Array([9]), 'image/png');
    const seen = await Promise.all(handles.map((handle) => uploads.get(handle, 'alice')));
    expect(seen.map((bytes) => (bytes ? [...bytes] : undefined))).toEqual([undefined, undefined, [2], [3]]);
    expect(await uploads.get(bob.handle, 'bob')).toEqual(new Uint8Array([9]));
  });
});

describe('createRedisStores', () => {
  it('close() ends the connections it opened, and leaves a client you passed open', async () => {
    const mine = createRedisStores({ url: server.url, prefix: 'close:' });
    const job = record();
    await mine.jobs.create(job, { idempotencyTtlMs: 1000, retentionMs: 1000 });
    const waiting = mine.jobs.read(job.id, undefined, { waitMs: WAIT_FOREVER });
    await sleep(100);
    await mine.close();
    expect(await waiting).toEqual([]); // a waiting read is woken, not left hanging
    expect(mine.redis.status).toBe('end');

    const owner = stores();
    const borrowed = createRedisStores({ redis: owner.redis, prefix: 'close:' });
    expect(await borrowed.jobs.get(job.id)).toMatchObject({ id: job.id, state: 'running' });
    await borrowed.close();
    expect(owner.redis.status).toBe('ready');
    expect(await owner.redis.ping()).toBe('PONG');
  });
});

describe('Redis restarted mid-run (killed, started again empty on the same port)', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ latency: 150 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('store calls reject quickly and typed while it is down; the same stores work after it is back', async () => {
    const made = stores();
    const job = record();
    await made.jobs.create(job, { idempotencyTtlMs: 60_000, retentionMs: 60_000 });
    await server.kill();

    const jobsCall = await settles(
      made.jobs.get(job.id).then(
        () => undefined,
        (error: unknown) => error,
      ),
      'jobs.get',
    );
    expect(jobsCall).toBeInstanceOf(RedisStoreError);
    expect((jobsCall as RedisStoreError).kind).toBe('unavailable');
    for (const call of [
      (): Promise<unknown> => made.jobs.create(record(), { idempotencyTtlMs: 1000, retentionMs: 1000 }),
      () => made.jobs.read(job.id, undefined, { waitMs: WAIT_FOREVER }),
      () => made.jobs.append(job.id, image(0)),
      () => made.jobs.heartbeat([job.id], Date.now()),
    ]) {
      await expect(settles(call(), 'a job store call')).rejects.toBeInstanceOf(RedisStoreError);
    }
    for (const call of [() => made.budget.take('global', 1, 10, 60_000), () => made.uploads.put('alice', new Uint8Array([1]), 'image/png')]) {
      const error = await settles(
        call().then(
          () => undefined,
          (reason: unknown) => reason,
        ),
        'a policy store call',
      );
      expect(isSpendingPolicyError(error)).toBe(true);
      expect(error).toMatchObject({ kind: 'unavailable', status: 503 });
    }

    // Through core: the spending policy refuses with 503 instead of letting the call through unbudgeted.
    const policy = createSpendingPolicy({ authorize: () => 'alice', budget: { store: made.budget } });
    await expect(
      settles(
        policy.admit({
          caller: { id: 'alice' },
          request: new Request('http://app.test/'),
          operation: 'generate',
          body: { prompt: 'a lighthouse' },
          defaultModel: 'doubao-seedream-4-0-250828',
        }),
        'policy.admit',
      ),
    ).rejects.toMatchObject({ kind: 'unavailable', status: 503 });

    await server.restart();
    // The same objects, not recreated: they reconnect by themselves. The data is gone (nothing was persisted).
    expect(await eventually(() => made.jobs.get(job.id))).toBeUndefined();
    expect(await made.budget.take('global', 1, 10, 60_000)).toMatchObject({ ok: true });
    const again = record();
    expect(await made.jobs.create(again, { idempotencyTtlMs: 1000, retentionMs: 1000 })).toEqual({ created: true });
    expect((await made.jobs.get(again.id))?.state).toBe('running');
  });

  it('a follower waiting in read() resumes after the restart; the running instance writes its job again', async () => {
    const a = stores({ prefix: 'restart2:' });
    const b = stores({ prefix: 'restart2:' });
    const job = record();
    await a.jobs.create(job, { idempotencyTtlMs: 60_000, retentionMs: 60_000 });
    await a.jobs.append(job.id, image(0));

    // B follows like core's follow(): reads from its cursor, and after a failed read tries again from there.
    const seen: JobEntry[] = [];
    const following = (async () => {
      let cursor: string | undefined;
      while (!seen.some((entry) => entry.event.type !== 'image')) {
        try {
          for (const entry of await b.jobs.read(job.id, cursor, { waitMs: WAIT_FOREVER })) {
            seen.push(entry);
            cursor = entry.cursor;
          }
        } catch {
          await sleep(50); // Redis is down: read again from the same cursor
        }
      }
    })();
    await eventually(async () => {
      if (seen.length < 1) throw new Error('not yet');
    });

    await server.kill();
    await sleep(300);
    await server.restart();
    // A (which runs the job) appends after the restart: the record is written again and B hears of it.
    await eventually(() => a.jobs.append(job.id, image(1)));
    await eventually(async () => {
      if (seen.length < 2) throw new Error('not yet');
    });
    const restored = await b.jobs.get(job.id);
    expect(restored).toMatchObject({ id: job.id, owner: 'alice', state: 'running' });
    expect(await a.jobs.finish(job.id, { type: 'done', model: 'm', created: 1 }, 'succeeded')).toBe(true);
    await settles(following, 'the follower');
    expect(seen.map((entry) => entry.event)).toEqual([image(0), image(1), { type: 'done', model: 'm', created: 1 }]);
    expect((await b.jobs.get(job.id))?.state).toBe('succeeded');
  });

  it('a job running through a restart ends normally; its follower (re-attaching after a 503) gets every image once, one upstream request', async () => {
    const a = stores({ prefix: 'restart3:' });
    const b = stores({ prefix: 'restart3:' });
    const client = new SeedreamClient({ apiKey: 'test-key', baseURL: emulator.baseURL });
    const runnerA = createJobs({ client, store: a.jobs, heartbeatMs: 100, staleAfterMs: 60_000 });
    const runnerB: SeedreamJobs = createJobs({ client, store: b.jobs, heartbeatMs: 100, staleAfterMs: 60_000 });
    const policy = createSpendingPolicy({ authorize: () => 'alice', budget: false, limits: { maxImagesPerRequest: 15 } });
    const caller = { id: 'alice' };
    const admission = await policy.admit({
      caller,
      request: new Request('http://app.test/'),
      operation: 'stream',
      body: { prompt: 'a series of 8 postcards of a harbour', sequential_image_generation: 'auto', stream: true },
      defaultModel: 'doubao-seedream-4-0-250828',
    });
    const mark = emulator.log.entries.at(-1)?.id ?? 0;
    const { jobId } = await runnerA.start({ admission });

    const seen: JobEntry[] = [];
    const refusals: unknown[] = [];
    const following = (async () => {
      let cursor: string | undefined;
      while (!seen.some((entry) => entry.event.type !== 'image')) {
        try {
          for await (const entry of runnerB.follow(jobId, caller, cursor ? { after: cursor } : {})) {
            seen.push(entry);
            cursor = entry.cursor;
          }
        } catch (error) {
          refusals.push(error); // what the route would send: a 503 (or a 404 while the record is not back yet)
          await sleep(100);
        }
      }
    })();
    await eventually(async () => {
      if (seen.length < 2) throw new Error('not yet');
    });
    await server.kill();
    await sleep(400);
    await server.restart();
    await settles(following, 'the follower');

    const images = seen.filter((entry) => entry.event.type === 'image').map((entry) => (entry.event as Extract<JobEvent, { type: 'image' }>).image.index);
    expect(images).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(seen.at(-1)?.event.type).toBe('done');
    for (const refusal of refusals) expect(refusal).toMatchObject({ kind: expect.stringMatching(/^(unavailable|not_found)$/) });
    expect(emulator.log.generations().filter((entry) => entry.id > mark)).toHaveLength(1);
    expect((await runnerB.get(jobId, caller)).state).toBe('succeeded');
    await Promise.all([runnerA.shutdown({ deadlineMs: 0 }), runnerB.shutdown({ deadlineMs: 0 })]);
  });
});

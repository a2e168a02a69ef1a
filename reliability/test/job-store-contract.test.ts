/**
 * One behavioural suite, two stores: everything `createJobs` relies on from a `JobStore`, run against the in-memory
 * store of @seedream-kit/core/server and the Redis store of @seedream-kit/redis (a real `redis-server` on a free
 * loopback port, started and stopped here). For Redis, "another instance" is another connection (another
 * `createRedisStores`); for memory it is the same store, as two runners in one process would share it.
 *
 * Then `createJobs` over both stores with the real core client against the real emulator: replay and follow,
 * two runners on one store (a job started on A is followed, joined by idempotency key and cancelled through B),
 * and a runner that dies (its heartbeat stops, its generation never ends) ended `interrupted` exactly once by
 * the others, with the images it reported kept.
 */
import { SeedreamClient } from '@seedream-kit/core';
import {
  createJobs,
  createSpendingPolicy,
  isTerminal,
  type JobEntry,
  type JobEvent,
  type JobRecord,
  type JobStore,
  MemoryJobStore,
  newJobId,
  type SeedreamJobs,
} from '@seedream-kit/core/server';
import { type Emulator, startEmulator } from '@seedream-kit/emulator';
import { createRedisStores, type RedisStores } from '@seedream-kit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../packages/redis/test/redis-server.ts';

let redisServer: RedisServer;
let emulator: Emulator;
const opened: RedisStores[] = [];

beforeAll(async () => {
  [redisServer, emulator] = await Promise.all([startRedisServer(), startEmulator({ latency: 60 })]);
});

afterAll(async () => {
  await Promise.all(opened.map((stores) => stores.close()));
  await Promise.all([redisServer?.stop(), emulator?.close()]);
});

interface Backend {
  /** The store of "instance A". */
  store: JobStore;
  /** The same jobs seen from "instance B". */
  peer: JobStore;
}

let namespace = 0;
const BACKENDS: Array<[name: string, make: () => Backend]> = [
  [
    'MemoryJobStore',
    () => {
      const store = new MemoryJobStore();
      return { store, peer: store };
    },
  ],
  [
    'RedisJobStore',
    () => {
      const prefix = `contract${++namespace}:`;
      const a = createRedisStores({ url: redisServer.url, prefix });
      const b = createRedisStores({ url: redisServer.url, prefix });
      opened.push(a, b);
      return { store: a.jobs, peer: b.jobs };
    },
  ],
];

const OPTIONS = { idempotencyTtlMs: 60_000, retentionMs: 60_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WAIT_FOREVER = 10 * 60_000; // a read that is never woken fails the test by its timeout, not by a clock

function record(overrides: Partial<JobRecord> = {}): JobRecord {
  const now = Date.now();
  return { id: newJobId(), owner: 'alice', state: 'running', instance: 'a', createdAt: now, heartbeatAt: now, stream: true, ...overrides };
}
const image = (index: number): JobEvent => ({ type: 'image', image: { index, url: `https://images.example/${index}.png`, size: '64x64' } });
const done: JobEvent = { type: 'done', model: 'doubao-seedream-4-0-250828', created: 1 };
const failed: JobEvent = { type: 'error', error: { kind: 'interrupted', message: 'The instance running this job stopped' } };

describe.each(BACKENDS)('JobStore contract: %s', (_name, make) => {
  let store: JobStore;
  let peer: JobStore;
  beforeAll(() => {
    ({ store, peer } = make());
  });

  it('stores a running job and reads it back from another instance; an unknown id is undefined', async () => {
    const job = record({ fingerprint: 'f'.repeat(64), stream: false });
    expect(await store.create(job, OPTIONS)).toEqual({ created: true });
    expect(await peer.get(job.id)).toEqual(job);
    expect(await peer.get(newJobId())).toBeUndefined();
  });

  it('idempotency: the same owner and key name the first job; another owner with that key gets its own', async () => {
    const first = record();
    expect(await store.create(first, { ...OPTIONS, idempotencyKey: 'key-1' })).toEqual({ created: true });
    const retry = record();
    expect(await peer.create(retry, { ...OPTIONS, idempotencyKey: 'key-1' })).toEqual({ created: false, jobId: first.id });
    expect(await peer.get(retry.id)).toBeUndefined(); // the loser stored nothing
    expect(await peer.findIdempotent('alice', 'key-1')).toBe(first.id);

    const other = record({ owner: 'bob' });
    expect(await peer.create(other, { ...OPTIONS, idempotencyKey: 'key-1' })).toEqual({ created: true });
    expect(await store.findIdempotent('bob', 'key-1')).toBe(other.id);
    expect(await store.findIdempotent('alice', 'key-2')).toBeUndefined();
    // Owner and key cannot be confused by where one ends and the other begins.
    const tricky = record({ owner: 'alice:key' });
    expect(await store.create(tricky, { ...OPTIONS, idempotencyKey: '1' })).toEqual({ created: true });
    expect(await store.findIdempotent('alice', 'key:1')).toBeUndefined();
  });

  it('idempotency: concurrent creates with one key from two instances make exactly one job', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? store : peer).create(record(), { ...OPTIONS, idempotencyKey: 'race' })));
    const created = results.filter((result) => result.created);
    expect(created).toHaveLength(1);
    const winner = await store.findIdempotent('alice', 'race');
    for (const result of results) if (!result.created) expect(result.jobId).toBe(winner);
  });

  it('expiry: an idempotency key stops naming its job after its window; a finished job goes after its retention', async () => {
    const keyed = record();
    await store.create(keyed, { idempotencyTtlMs: 300, retentionMs: 60_000, idempotencyKey: 'short' });
    const kept = record();
    await store.create(kept, { idempotencyTtlMs: 60_000, retentionMs: 300 });
    await store.append(kept.id, image(0));
    expect(await store.finish(kept.id, done, 'succeeded')).toBe(true);
    const running = record();
    await store.create(running, { idempotencyTtlMs: 60_000, retentionMs: 300 });
    await sleep(700);
    expect(await peer.findIdempotent('alice', 'short')).toBeUndefined();
    const again = record();
    expect(await peer.create(again, { ...OPTIONS, idempotencyKey: 'short' })).toEqual({ created: true });
    expect(await peer.findIdempotent('alice', 'short')).toBe(again.id);
    // Retention counts from the end: the finished job and its log are gone, the running one is not.
    expect(await peer.get(kept.id)).toBeUndefined();
    expect(await peer.read(kept.id, undefined, { waitMs: 0 })).toEqual([]);
    expect((await peer.get(running.id))?.state).toBe('running');
  });

  it('append/read: every entry once, in order, from any cursor; a foreign cursor reads from the start', async () => {
    const job = record();
    await store.create(job, OPTIONS);
    expect(await peer.read(job.id, undefined, { waitMs: 0 })).toEqual([]);
    for (let i = 0; i < 5; i++) await store.append(job.id, image(i));
    const all = await peer.read(job.id, undefined, { waitMs: 0 });
    expect(all.map((entry) => entry.event)).toEqual([0, 1, 2, 3, 4].map(image));
    expect(new Set(all.map((entry) => entry.cursor)).size).toBe(5);
    // From each cursor: exactly what follows it.
    for (let i = 0; i < all.length; i++) {
      const rest = await peer.read(job.id, all[i]!.cursor, { waitMs: 0 });
      expect(rest).toEqual(all.slice(i + 1));
    }
    // Following cursor by cursor gives each entry exactly once.
    const followed: JobEntry[] = [];
    let cursor: string | undefined;
    while (followed.length < 5) {
      const next = await store.read(job.id, cursor, { waitMs: 0 });
      followed.push(next[0]!);
      cursor = next[0]!.cursor;
    }
    expect(followed).toEqual(all);
    for (const junk of ['junk', 'NaN', '-1', '1.5', '']) {
      expect((await peer.read(job.id, junk, { waitMs: 0 })).map((entry) => entry.event)).toEqual(all.map((entry) => entry.event));
    }
    expect(await peer.read(newJobId(), undefined, { waitMs: 0 })).toEqual([]);
  });

  it('read waits for the next entry and wakes when another instance appends it', async () => {
    const job = record();
    await store.create(job, OPTIONS);
    await store.append(job.id, image(0));
    const [first] = await peer.read(job.id, undefined, { waitMs: 0 });
    let resolved = false;
    const waiting = peer.read(job.id, first!.cursor, { waitMs: WAIT_FOREVER }).finally(() => {
      resolved = true;
    });
    await sleep(150);
    expect(resolved).toBe(false); // it waits while there is nothing new
    await store.append(job.id, image(1));
    expect((await waiting).map((entry) => entry.event)).toEqual([image(1)]);
    // Several readers of one job are all woken, and by the terminal event too.
    const readers = [peer, peer, store].map((s) => s.read(job.id, undefined, { waitMs: WAIT_FOREVER }));
    const after = peer.read(job.id, (await waiting)[0]!.cursor, { waitMs: WAIT_FOREVER });
    expect(await store.finish(job.id, done, 'succeeded')).toBe(true);
    expect((await after).map((entry) => entry.event)).toEqual([done]);
    for (const reader of await Promise.all(readers)) expect(reader.length).toBeGreaterThanOrEqual(2);
  });

  it('read honours waitMs (no entry: an empty answer) and an aborted signal', async () => {
    const job = record();
    await store.create(job, OPTIONS);
    expect(await peer.read(job.id, undefined, { waitMs: 100 })).toEqual([]);
    expect(await peer.read(job.id, undefined, { waitMs: WAIT_FOREVER, signal: AbortSignal.abort() })).toEqual([]);
    const controller = new AbortController();
    const waiting = peer.read(job.id, undefined, { waitMs: WAIT_FOREVER, signal: controller.signal });
    await sleep(50);
    controller.abort();
    expect(await waiting).toEqual([]);
    // The store still works for that job afterwards.
    await store.append(job.id, image(0));
    expect((await peer.read(job.id, undefined, { waitMs: WAIT_FOREVER })).map((entry) => entry.event)).toEqual([image(0)]);
  });

  it('finish: once; concurrent finishes from two instances, exactly one wins; nothing is appended afterwards', async () => {
    const job = record();
    await store.create(job, OPTIONS);
    await store.append(job.id, image(0));
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? store : peer).finish(job.id, i % 3 ? done : failed, i % 3 ? 'succeeded' : 'interrupted')),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    await store.append(job.id, image(1));
    expect(await store.finish(job.id, done, 'succeeded')).toBe(false);
    const log = await peer.read(job.id, undefined, { waitMs: 0 });
    expect(log).toHaveLength(2);
    expect(log.filter((entry) => isTerminal(entry.event))).toHaveLength(1);
    const state = (await peer.get(job.id))?.state;
    expect(log[1]!.event.type === 'done' ? 'succeeded' : 'interrupted').toBe(state);
    expect(await peer.finish(newJobId(), done, 'succeeded')).toBe(false);
  });

  it('finish with heartbeatBefore: only a job whose heartbeat is older ends; a heartbeat keeps it alive', async () => {
    const job = record({ heartbeatAt: 1000 });
    await store.create(job, OPTIONS);
    expect(await peer.finish(job.id, failed, 'interrupted', { heartbeatBefore: 1000 })).toBe(false); // not older
    const now = Date.now();
    await store.heartbeat([job.id], now);
    expect((await peer.get(job.id))?.heartbeatAt).toBe(now);
    expect(await peer.finish(job.id, failed, 'interrupted', { heartbeatBefore: now })).toBe(false);
    const outcomes = await Promise.all([store, peer, peer].map((s) => s.finish(job.id, failed, 'interrupted', { heartbeatBefore: now + 1 })));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await store.get(job.id))?.state).toBe('interrupted');
    // A heartbeat no longer changes a finished job.
    await store.heartbeat([job.id], now + 5000);
    expect((await peer.get(job.id))?.heartbeatAt).toBe(now);
  });

  it('cancel requests: asked on one instance, seen by the running one; only for the jobs asked', async () => {
    const [a, b, c] = [record(), record(), record()];
    for (const job of [a, b, c]) await store.create(job, OPTIONS);
    expect(await store.cancelRequests([a.id, b.id, c.id])).toEqual([]);
    await peer.requestCancel(b.id);
    await peer.requestCancel(newJobId()); // unknown: nothing happens
    expect(await store.cancelRequests([a.id, b.id, c.id])).toEqual([b.id]);
    expect(await store.cancelRequests([])).toEqual([]);
  });
});

// ---- createJobs over both stores, with the real client against the real emulator ----

const caller = { id: 'alice' };
const series = (count: number) => ({ prompt: `a series of ${count} postcards of a harbour`, sequential_image_generation: 'auto', stream: true });
const SERIES = series(3);

function client(headers: Record<string, string> = {}) {
  return new SeedreamClient({ apiKey: 'test-key', baseURL: emulator.baseURL, headers });
}

const policy = createSpendingPolicy({ authorize: () => caller.id, budget: false, limits: { maxImagesPerRequest: 15 } });
async function admit(body: Record<string, unknown> = SERIES) {
  return policy.admit({
    caller,
    request: new Request('http://app.test/api/seedream', { method: 'POST' }),
    operation: 'stream',
    body,
    defaultModel: 'doubao-seedream-4-0-250828',
  });
}

async function collect(jobs: SeedreamJobs, jobId: string, after?: string): Promise<JobEntry[]> {
  const entries: JobEntry[] = [];
  for await (const entry of jobs.follow(jobId, caller, after ? { after } : {})) entries.push(entry);
  return entries;
}

async function generationsFor(jobIdStart: number): Promise<number> {
  return emulator.log.generations().filter((entry) => entry.id > jobIdStart).length;
}
const logMark = () => emulator.log.entries.at(-1)?.id ?? 0;

describe.each(BACKENDS)('createJobs on %s', (_name, make) => {
  let backend: Backend;
  const runners: SeedreamJobs[] = [];
  const runner = (store: JobStore, options: Partial<Parameters<typeof createJobs>[0]> = {}) => {
    const jobs = createJobs({ client: client(), store, heartbeatMs: 100, staleAfterMs: 60_000, ...options });
    runners.push(jobs);
    return jobs;
  };
  beforeAll(() => {
    backend = make();
  });
  afterAll(async () => {
    await Promise.all(runners.map((jobs) => jobs.shutdown({ deadlineMs: 0 })));
  });

  it('follow() follows a running job to its end, then replays it exactly, from any cursor', async () => {
    const mark = logMark();
    const jobs = runner(backend.store);
    const { jobId, created } = await jobs.start({ admission: await admit() });
    expect(created).toBe(true);
    const live = await collect(jobs, jobId);
    expect(live.map((entry) => entry.event.type)).toEqual(['image', 'image', 'image', 'done']);
    expect(live.slice(0, 3).map((entry) => (entry.event as Extract<JobEvent, { type: 'image' }>).image.index)).toEqual([0, 1, 2]);
    expect(await collect(jobs, jobId)).toEqual(live);
    expect(await collect(jobs, jobId, live[1]!.cursor)).toEqual(live.slice(2));
    const view = await jobs.get(jobId, caller);
    expect(view.state).toBe('succeeded');
    expect(view.result?.images.map((img) => img.index)).toEqual([0, 1, 2]);
    expect(await generationsFor(mark)).toBe(1);
  });

  it('two instances: a job started on A is followed through B, joined by its idempotency key, and another is cancelled through B', async () => {
    const mark = logMark();
    const a = runner(backend.store);
    const b = runner(backend.peer);
    const first = await a.start({ admission: await admit(), idempotencyKey: 'submit-1', fingerprint: 'same' });
    // The same key through B (a retry that reached another instance): B attaches, nothing is sent again.
    expect(await b.findIdempotent(caller, 'submit-1', 'same')).toBe(first.jobId);
    const retried = await b.start({ admission: await admit(), idempotencyKey: 'submit-1', fingerprint: 'same' });
    expect(retried).toEqual({ jobId: first.jobId, created: false });
    const throughB = await collect(b, first.jobId);
    expect(throughB.map((entry) => entry.event.type)).toEqual(['image', 'image', 'image', 'done']);
    expect(await collect(a, first.jobId)).toEqual(throughB);
    expect(await generationsFor(mark)).toBe(1);

    // A slow series (300 ms an image) on A, so the cancel lands mid-series.
    const slowA = runner(backend.store, { client: client({ 'x-emulator-fault': 'latency=300' }) });
    const slow = await slowA.start({ admission: await admit(series(15)) });
    const started = b.follow(slow.jobId, caller);
    expect((await started.next()).value?.event.type).toBe('image');
    await started.return(undefined);
    const view = await b.cancel(slow.jobId, caller, { waitMs: 30_000 });
    expect(view.state).toBe('cancelled');
    expect(view.error?.kind).toBe('aborted');
    expect(view.images.length).toBeGreaterThanOrEqual(1);
    expect(view.images.length).toBeLessThan(15); // stopped mid-series
    const log = await collect(a, slow.jobId);
    expect(log.filter((entry) => isTerminal(entry.event))).toHaveLength(1);
    expect(slowA.running).toBe(0);
    expect(emulator.log.generations().filter((entry) => entry.id > mark)).toHaveLength(2);
  });

  it('an instance that dies (heartbeat stopped, generation never ending) has its job ended interrupted, once, images kept', async () => {
    const mark = logMark();
    // A's generation stalls after two images and its heartbeat never comes: it is as good as dead.
    const a = createJobs({ client: client({ 'x-emulator-fault': 'stall-stream=2' }), store: backend.store, heartbeatMs: 3_600_000 });
    runners.push(a);
    const b = runner(backend.peer, { staleAfterMs: 300 });
    const c = runner(backend.peer, { staleAfterMs: 300 });
    const { jobId } = await a.start({ admission: await admit() });
    const images: JobEntry[] = [];
    for await (const entry of a.follow(jobId, caller)) {
      images.push(entry);
      if (images.length === 2) break;
    }
    await sleep(400); // past B's and C's stale limit
    const [followed, ...views] = await Promise.all([collect(b, jobId), b.get(jobId, caller), c.get(jobId, caller), c.get(jobId, caller)]);
    expect(followed.slice(0, 2)).toEqual(images);
    expect(followed).toHaveLength(3);
    expect(followed[2]!.event).toMatchObject({ type: 'error', error: { kind: 'interrupted' } });
    for (const view of views) {
      expect(view.state).toBe('interrupted');
      expect(view.images).toHaveLength(2);
    }
    const log = await backend.store.read(jobId, undefined, { waitMs: 0 });
    expect(log.filter((entry) => isTerminal(entry.event))).toHaveLength(1);
    // Never resubmitted: one upstream request for the job.
    expect(await generationsFor(mark)).toBe(1);
    await a.shutdown({ deadlineMs: 0 });
    expect((await backend.store.read(jobId, undefined, { waitMs: 0 })).filter((entry) => isTerminal(entry.event))).toHaveLength(1);
  });
});

/**
 * MemoryJobStore's own bounds (its behaviour as a JobStore is the shared suite in reliability/, run against the
 * Redis store too): the jobs together stay under `maxBytes`, finished jobs go oldest first, running ones never.
 */
import { describe, expect, it } from 'vitest';
import { MemoryJobStore, newJobId, type JobRecord } from '../src/server.js';

const OPTIONS = { idempotencyTtlMs: 60_000, retentionMs: 3_600_000 };
const record = (): JobRecord => ({ id: newJobId(), owner: 'ann', state: 'running', instance: 'a', createdAt: 0, heartbeatAt: Date.now(), stream: true });
const image = (index: number, size: number) => ({ type: 'image' as const, image: { index, url: `data:image/png;base64,${'A'.repeat(size)}` } });
const done = { type: 'done' as const, model: 'm', created: 0 };

describe('MemoryJobStore bounds', () => {
  it('drops the oldest finished jobs once the jobs pass maxBytes; a running job stays whatever its size', async () => {
    // Each job counts 1 KiB of its own and each event 256 bytes plus its URL: 4 jobs and two 4 KB images fit 14 000.
    const store = new MemoryJobStore({ maxBytes: 14_000 });
    const [first, second, running, third] = [record(), record(), record(), record()];
    for (const job of [first, second, running, third]) await store.create(job, OPTIONS);
    for (const job of [first, second]) {
      await store.append(job.id, image(0, 4000));
      await store.finish(job.id, done, 'succeeded');
    }
    await store.append(running.id, image(0, 1500)); // over the cap: the oldest finished job goes, and only it
    expect(await store.get(first.id)).toBeUndefined();
    expect(await store.get(second.id)).toBeDefined();
    await store.append(third.id, image(0, 100));
    await store.finish(third.id, done, 'succeeded');
    await store.append(running.id, image(1, 20_000)); // far over: every finished job goes, the running one stays
    expect(await store.get(second.id)).toBeUndefined();
    expect(await store.get(third.id)).toBeUndefined();
    const entries = await store.read(running.id, undefined, { waitMs: 0 });
    expect(entries.map((entry) => entry.event.type)).toEqual(['image', 'image']);
  });

  it('counts each job, not only its events: many jobs with short URLs stay under the cap', async () => {
    const store = new MemoryJobStore({ maxBytes: 50_000 });
    const jobs = Array.from({ length: 200 }, record);
    for (const job of jobs) {
      await store.create(job, OPTIONS);
      await store.append(job.id, { type: 'image', image: { index: 0, url: 'https://cdn.example/a.jpeg' } });
      await store.finish(job.id, done, 'succeeded');
    }
    const kept = [];
    for (const job of jobs) if (await store.get(job.id)) kept.push(job);
    // Their events alone (about 550 bytes a job) would let about 90 stay; with each job's own 1 KiB, at most 48.
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(Math.floor(50_000 / 1024));
    expect(kept.at(-1)).toBe(jobs.at(-1)); // the newest stay, the oldest went
    expect(kept[0]).not.toBe(jobs[0]);
  });

  it('a finished job expires after its retention; its idempotency key after its own window', async () => {
    let now = 1_000_000;
    const store = new MemoryJobStore({ now: () => now });
    const job = record();
    await store.create(job, { idempotencyKey: 'k', idempotencyTtlMs: 5_000, retentionMs: 10_000 });
    await store.finish(job.id, done, 'succeeded');
    now += 6_000;
    expect(await store.findIdempotent('ann', 'k')).toBeUndefined();
    expect(await store.get(job.id)).toBeDefined();
    now += 5_000;
    expect(await store.get(job.id)).toBeUndefined();
  });
});

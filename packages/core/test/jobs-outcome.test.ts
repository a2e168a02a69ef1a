/**
 * `jobs.outcome`: a job's whole log once it has ended — what a JSON answer or a GraphQL mutation needs — against a
 * real emulator. It must give exactly the entries `follow` yields, for a job running here, one that has ended, one
 * that fails, and stop waiting (without stopping the job) when the caller's signal fires.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '@seedream-kit/emulator';
import { createJobs, createSpendingPolicy, type SeedreamJobs } from '../src/server.js';
import { clientFor, withEmulator } from './helpers.js';

const ann = { id: 'ann' };
const bob = { id: 'bob' };
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function setup(latency = 50) {
  emulator = await withEmulator({ latency });
  const client = clientFor(emulator, { model: 'doubao-seedream-4-0-250828' });
  const jobs = createJobs({ client });
  const policy = createSpendingPolicy({ authorize: () => 'ann', budget: false });
  const start = async (body: Record<string, unknown>) => {
    const admission = await policy.admit({ caller: ann, request: new Request('http://app.test/'), operation: 'generate', body, defaultModel: client.model });
    return (await jobs.start({ admission })).jobId;
  };
  return { jobs, start };
}

async function followAll(jobs: SeedreamJobs, jobId: string) {
  const entries = [];
  for await (const entry of jobs.follow(jobId, ann)) entries.push(entry);
  return entries;
}

const SERIES = {
  prompt: 'a lighthouse in 3 pictures, one per season',
  size: '1K',
  sequential_image_generation: 'auto',
  sequential_image_generation_options: { max_images: 3 },
};

describe('jobs.outcome', () => {
  it('of a job running here: every entry follow yields, the terminal one last', async () => {
    const { jobs, start } = await setup();
    const jobId = await start(SERIES);
    expect(jobs.running).toBe(1);
    const entries = await jobs.outcome(jobId, ann);
    expect(entries?.map((entry) => entry.event.type)).toEqual(['image', 'image', 'image', 'done']);
    expect(await followAll(jobs, jobId)).toEqual(entries);
  });

  it('of a job that has ended (read from the store), and of a failed one (its error event last)', async () => {
    const { jobs, start } = await setup(0);
    const jobId = await start({ prompt: 'a boat', size: '1K' });
    const first = await jobs.outcome(jobId, ann);
    expect(jobs.running).toBe(0);
    expect(await jobs.outcome(jobId, ann)).toEqual(first);

    emulator!.setFaults('status=500');
    const broken = await start({ prompt: 'a storm', size: '1K' });
    const outcome = await jobs.outcome(broken, ann);
    expect(outcome?.at(-1)?.event).toMatchObject({ type: 'error', error: { kind: 'upstream' } });
    expect(await followAll(jobs, broken)).toEqual(outcome);
  });

  it('stops waiting when the signal fires; the job goes on and its outcome is still there', async () => {
    const { jobs, start } = await setup(300);
    const jobId = await start(SERIES);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await jobs.outcome(jobId, ann, { signal: controller.signal })).toBeUndefined();
    expect(jobs.running).toBe(1);
    expect((await jobs.outcome(jobId, ann))?.at(-1)?.event.type).toBe('done');
  });

  it("another caller's job reads like no job, while it runs here and once it has ended", async () => {
    const { jobs, start } = await setup(200);
    const jobId = await start({ prompt: 'a boat', size: '1K' });
    expect(jobs.running).toBe(1);
    await expect(jobs.outcome(jobId, bob)).rejects.toMatchObject({ status: 404 });
    await jobs.outcome(jobId, ann);
    await expect(jobs.outcome(jobId, bob)).rejects.toMatchObject({ status: 404 });
  });
});

/**
 * The safety net of a stopped job: when a step of its run ignores the abort (a stand-in client that never
 * answers, the way a stuck download or a dead socket can), the job still ends — `cancelled` after a cancel,
 * `interrupted` after a shutdown deadline — with what it logged, and nothing waits on it forever.
 */
import { describe, expect, it } from 'vitest';
import { createJobs, createSpendingPolicy, type SeedreamJobs } from '../src/server.js';

const caller = { id: 'ann' };
// Never answers and ignores its signal: only the job's own safety net can end it.
const stuckClient = { model: 'doubao-seedream-4-0-250828', generate: () => new Promise<never>(() => {}) } as unknown as Parameters<
  typeof createJobs
>[0]['client'];

async function startStuck(jobs: SeedreamJobs) {
  const policy = createSpendingPolicy({ authorize: () => caller.id, budget: false });
  const admission = await policy.admit({
    caller,
    request: new Request('http://app.test/'),
    operation: 'generate',
    body: { prompt: 'a boat', size: '2K' },
    defaultModel: stuckClient.model,
  });
  return (await jobs.start({ admission })).jobId;
}

describe('a stopped job always ends', () => {
  it('a cancel ends it `cancelled` even when its run ignores the abort', { timeout: 15_000 }, async () => {
    const errors: unknown[] = [];
    const jobs = createJobs({ client: stuckClient, onError: (error) => errors.push(error) });
    const jobId = await startStuck(jobs);
    const view = await jobs.cancel(jobId, caller, { waitMs: 8000 });
    expect(view).toMatchObject({ state: 'cancelled', error: { kind: 'aborted' } });
    expect(jobs.running).toBe(0);
    expect(String(errors.at(-1))).toMatch(/did not end .* after the abort/);
  });

  it('a shutdown deadline ends it `interrupted`, and shutdown() returns', { timeout: 15_000 }, async () => {
    const jobs = createJobs({ client: stuckClient });
    const jobId = await startStuck(jobs);
    await jobs.shutdown({ deadlineMs: 100 });
    expect(await jobs.get(jobId, caller)).toMatchObject({ state: 'interrupted', error: { kind: 'interrupted' } });
  });
});

/**
 * The route's durable jobs against a real emulator over HTTP: the first SSE event names the job; a disconnect
 * keeps it running; GET replays every event once, in order; DELETE cancels; Idempotency-Key attaches a retry;
 * another caller's job is 404 everywhere; persisted images are served under the route's own URL.
 */
import { createJobs, MemoryImageStorage } from '@seedream-kit/core/server';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack, type StackRoute } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The caller is whoever the `x-user` header names: the policy keys jobs by it. */
const byUser: StackRoute['policy'] = { authorize: (request) => request.headers.get('x-user') ?? false };
const SERIES = { prompt: 'a series of 3 images of a lighthouse', size: '1024x1024', sequential_image_generation: 'auto', stream: true };
const as = (user: string, extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', 'x-user': user, ...extra });

async function start(route: StackRoute = {}) {
  stack = await startStack({ pingInterval: 0, policy: byUser, ...route });
  return stack;
}

interface Sse {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): Sse[] {
  return text
    .split('\n\n')
    .map((block) => {
      const fields = Object.fromEntries(
        block.split('\n').flatMap((line) => (line.startsWith(':') || !line.includes(': ') ? [] : [line.split(/: (.*)/s).slice(0, 2)])),
      );
      return fields.event ? { event: fields.event, ...(fields.id ? { id: fields.id } : {}), data: JSON.parse(fields.data ?? '{}') } : undefined;
    })
    .filter((event): event is Sse => event !== undefined);
}

/** Reads a response's SSE until `until` holds (then cancels the body, like a tab that closes). */
async function readUntil(response: Response, until: (events: Sse[]) => boolean): Promise<Sse[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (value) text += decoder.decode(value, { stream: true });
    const events = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));
    if (done || until(events)) {
      await reader.cancel().catch(() => undefined);
      return events;
    }
  }
}

const jobUrl = (url: string, id: string) => `${url}/jobs/${id}`;

describe('createSeedreamRoute: jobs', () => {
  it('names the job first; a disconnect keeps it running; GET replays every image once, in order, then done', async () => {
    const { url, emulator, faults } = await start();
    faults.push('latency=300');
    const controller = new AbortController();
    const response = await fetch(url, { method: 'POST', headers: as('ann'), body: JSON.stringify(SERIES), signal: controller.signal });
    const jobId = response.headers.get('x-seedream-job')!;
    const seen = await readUntil(response, (events) => events.some((e) => e.event === 'image'));
    controller.abort();
    expect(seen[0]).toEqual({ event: 'job', data: { id: jobId } });
    expect(jobId).toMatch(/^job_[A-Za-z0-9_-]{32}$/);

    // The upstream generation goes on without the caller.
    const upstream = await emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 10_000);
    expect([upstream.aborted, upstream.imagesGenerated]).toEqual([false, 3]);

    const replay = parseSse(await (await fetch(jobUrl(url, jobId), { headers: { 'x-user': 'ann' } })).text());
    expect(replay.map((e) => e.event)).toEqual(['job', 'image', 'image', 'image', 'done']);
    expect(replay.slice(1, 4).map((e) => e.data.index)).toEqual([0, 1, 2]);
    // Event ids are cursors: Last-Event-ID resumes after one, without repeating it.
    const rest = parseSse(await (await fetch(jobUrl(url, jobId), { headers: { 'x-user': 'ann', 'last-event-id': replay[1]!.id! } })).text());
    expect(rest.map((e) => `${e.event}:${e.data.index ?? ''}`)).toEqual(['job:', 'image:1', 'image:2', 'done:']);
    expect(emulator.log.generations()).toHaveLength(1);
  });

  it('re-attaching mid-series replays what was produced, then follows the rest live', async () => {
    const { url, emulator, faults } = await start();
    faults.push('latency=400');
    const first = await fetch(url, { method: 'POST', headers: as('ann'), body: JSON.stringify(SERIES) });
    const jobId = first.headers.get('x-seedream-job')!;
    await readUntil(first, (events) => events.some((e) => e.event === 'image'));
    const resumed = parseSse(await (await fetch(jobUrl(url, jobId), { headers: { 'x-user': 'ann' } })).text());
    expect(resumed.map((e) => e.event)).toEqual(['job', 'image', 'image', 'image', 'done']);
    expect(resumed.filter((e) => e.event === 'image').map((e) => e.data.index)).toEqual([0, 1, 2]);
    expect(emulator.log.generations()).toHaveLength(1);
  });

  it('answers JSON for a job with Accept: application/json, and for a plain JSON POST (x-seedream-job names it)', async () => {
    const { url } = await start();
    const posted = await fetch(url, { method: 'POST', headers: as('ann', { accept: 'application/json' }), body: JSON.stringify({ prompt: 'a boat' }) });
    expect(posted.headers.get('content-type')).toMatch(/json/);
    const jobId = posted.headers.get('x-seedream-job')!;
    const result = await posted.json();
    expect(result.images).toHaveLength(1);
    const view = await (await fetch(jobUrl(url, jobId), { headers: { 'x-user': 'ann', accept: 'application/json' } })).json();
    expect(view).toMatchObject({ id: jobId, state: 'succeeded', images: [{ index: 0 }], result: { images: [{ index: 0 }] } });
  });

  it('DELETE cancels the upstream call; the stream ends with an aborted error and the job reads cancelled', async () => {
    const { url, emulator, faults } = await start();
    faults.push('latency=500');
    const response = await fetch(url, { method: 'POST', headers: as('ann'), body: JSON.stringify(SERIES) });
    const jobId = response.headers.get('x-seedream-job')!;
    const reading = readUntil(response, () => false);
    await emulator.log.waitFor((e) => e.kind === 'generation');
    const cancelled = await fetch(jobUrl(url, jobId), { method: 'DELETE', headers: { 'x-user': 'ann' } });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id: jobId, state: 'cancelled', error: { kind: 'aborted' } });
    const events = await reading;
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { error: { kind: 'aborted' } } });
    const upstream = await emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 5000);
    expect(upstream.aborted).toBe(true);
  });

  it("DELETE …/jobs with the call's Idempotency-Key cancels a job whose id never reached the caller", async () => {
    const { url, emulator, faults } = await start();
    faults.push('latency=800');
    const controller = new AbortController();
    const posting = fetch(url, {
      method: 'POST',
      headers: as('ann', { 'idempotency-key': 'k-early' }),
      body: JSON.stringify(SERIES),
      signal: controller.signal,
    }).catch(() => undefined);
    await emulator.log.waitFor((e) => e.kind === 'generation');
    controller.abort();
    await posting;
    const cancelled = await fetch(`${url}/jobs`, { method: 'DELETE', headers: { 'x-user': 'ann', 'idempotency-key': 'k-early' } });
    expect(await cancelled.json()).toMatchObject({ state: 'cancelled' });
    expect((await fetch(`${url}/jobs`, { method: 'DELETE', headers: { 'x-user': 'bob', 'idempotency-key': 'k-early' } })).status).toBe(404);
    expect((await emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 5000)).aborted).toBe(true);
  });

  it('an Idempotency-Key retry attaches to the same job: one upstream request; a different body under the key is 422', async () => {
    const { url, emulator, faults } = await start();
    faults.push('latency=300');
    const headers = as('ann', { 'idempotency-key': 'retry-1' });
    const [a, b] = await Promise.all([
      fetch(url, { method: 'POST', headers, body: JSON.stringify(SERIES) }),
      fetch(url, { method: 'POST', headers, body: JSON.stringify(SERIES) }),
    ]);
    expect(a.headers.get('x-seedream-job')).toBe(b.headers.get('x-seedream-job'));
    const [textA, textB] = await Promise.all([a.text(), b.text()]);
    expect(parseSse(textA).map((e) => e.event)).toEqual(['job', 'image', 'image', 'image', 'done']);
    expect(parseSse(textB)).toEqual(parseSse(textA));
    const later = await fetch(url, { method: 'POST', headers, body: JSON.stringify(SERIES) });
    expect(later.headers.get('x-seedream-job')).toBe(a.headers.get('x-seedream-job'));
    await later.text();
    expect(emulator.log.generations()).toHaveLength(1);

    const changed = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ ...SERIES, prompt: 'another prompt' }) });
    expect(changed.status).toBe(422);
    expect((await changed.json()).error).toMatchObject({ kind: 'bad_request' });
    // The same key from another caller is another caller's key.
    const other = await fetch(url, { method: 'POST', headers: as('bob', { 'idempotency-key': 'retry-1' }), body: JSON.stringify(SERIES) });
    expect(other.headers.get('x-seedream-job')).not.toBe(a.headers.get('x-seedream-job'));
    await other.text();
    expect(emulator.log.generations()).toHaveLength(2);
    const bad = await fetch(url, { method: 'POST', headers: as('ann', { 'idempotency-key': 'x'.repeat(300) }), body: JSON.stringify(SERIES) });
    expect(bad.status).toBe(400);
  });

  it("another caller's job is 404 everywhere (read, resume, cancel, images), exactly like an unknown id", async () => {
    const storage = new MemoryImageStorage();
    const { url } = await start({
      jobs: {
        persist: {
          storage,
          url: (id, index) => `/api/seedream/jobs/${id}/images/${index}`,
          download: async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer()),
        },
      },
    });
    const own = await fetch(url, { method: 'POST', headers: as('ann'), body: JSON.stringify({ ...SERIES, prompt: 'a series of 2 images of a boat' }) });
    const jobId = own.headers.get('x-seedream-job')!;
    await own.text();
    const unknown = `job_${'A'.repeat(32)}`;
    const probes = (id: string) => [
      fetch(jobUrl(url, id), { headers: { 'x-user': 'bob' } }),
      fetch(jobUrl(url, id), { headers: { 'x-user': 'bob', accept: 'application/json' } }),
      fetch(jobUrl(url, id), { method: 'DELETE', headers: { 'x-user': 'bob' } }),
      fetch(`${jobUrl(url, id)}/images/0`, { headers: { 'x-user': 'bob' } }),
    ];
    const answers = await Promise.all([...probes(jobId), ...probes(unknown), fetch(jobUrl(url, '..%2F..%2Fetc'), { headers: { 'x-user': 'bob' } })]);
    const bodies = await Promise.all(answers.map((answer) => answer.json()));
    expect(answers.map((answer) => answer.status)).toEqual(Array(9).fill(404));
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    // The owner can: the job still runs to its end, unharmed by the probes.
    expect((await fetch(`${jobUrl(url, jobId)}/images/1`, { headers: { 'x-user': 'ann' } })).status).toBe(200);
    // No caller at all: 403 before anything is looked up.
    expect((await fetch(jobUrl(url, jobId))).status).toBe(403);
  });

  it('persisted images are stored before they are reported and served under the route with the owner’s authorization', async () => {
    const storage = new MemoryImageStorage();
    const downloaded: string[] = [];
    const { url } = await start({
      jobs: {
        persist: {
          storage,
          url: (id, index) => `/api/seedream/jobs/${id}/images/${index}`,
          download: async (u) => {
            downloaded.push(u);
            return new Uint8Array(await (await fetch(u)).arrayBuffer());
          },
        },
      },
    });
    const response = await fetch(url, { method: 'POST', headers: as('ann'), body: JSON.stringify({ ...SERIES, prompt: 'a series of 2 images of a boat' }) });
    const jobId = response.headers.get('x-seedream-job')!;
    const images = parseSse(await response.text()).filter((e) => e.event === 'image');
    expect(images.map((e) => e.data.url)).toEqual([`/api/seedream/jobs/${jobId}/images/0`, `/api/seedream/jobs/${jobId}/images/1`]);
    expect(downloaded).toHaveLength(2);
    const served = await fetch(`${jobUrl(url, jobId)}/images/1`, { headers: { 'x-user': 'ann' } });
    expect(served.headers.get('content-type')).toMatch(/^image\//);
    const bytes = new Uint8Array(await served.arrayBuffer());
    expect(bytes).toEqual((await storage.get(`${jobId}/1`))!.bytes);
    expect((await fetch(`${jobUrl(url, jobId)}/images/7`, { headers: { 'x-user': 'ann' } })).status).toBe(404);
  });

  it('b64 results are written to storage directly (no download)', async () => {
    const storage = new MemoryImageStorage();
    let downloads = 0;
    const { url } = await start({
      jobs: {
        persist: {
          storage,
          url: (id, index) => `/img/${id}/${index}`,
          download: async () => {
            downloads++;
            return new Uint8Array();
          },
        },
      },
    });
    const response = await fetch(url, {
      method: 'POST',
      headers: as('ann', { accept: 'application/json' }),
      body: JSON.stringify({ prompt: 'a boat', response_format: 'b64_json' }),
    });
    const jobId = response.headers.get('x-seedream-job')!;
    expect((await response.json()).images[0].url).toBe(`/img/${jobId}/0`);
    expect(downloads).toBe(0);
    expect((await storage.get(`${jobId}/0`))?.contentType).toMatch(/^image\//);
  });

  it('takes a shared jobs object; after shutdown() it refuses new jobs with a typed 503 and nothing goes upstream', async () => {
    const { createSeedream } = await import('@seedream-kit/core');
    const { startEmulator } = await import('@seedream-kit/emulator');
    const emulator = await startEmulator();
    try {
      const client = createSeedream({ baseURL: emulator.baseURL, apiKey: 'test-key-not-secret' });
      const jobs = createJobs({ client });
      const { createSeedreamRoute, createSpendingPolicy } = await import('../src/server.js');
      const route = createSeedreamRoute({ client, policy: createSpendingPolicy({ authorize: () => 'ann', budget: false }), jobs });
      const post = () =>
        route(
          new Request('http://app.test/api/seedream', {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: '{"prompt":"a boat"}',
          }),
        );
      expect((await post()).status).toBe(200);
      await jobs.shutdown({ deadlineMs: 1000 });
      const refused = await post();
      expect(refused.status).toBe(503);
      expect((await refused.json()).error.kind).toBe('unavailable');
      expect(emulator.log.generations()).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  });
});

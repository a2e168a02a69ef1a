// What is Svelte's own: a live getter per field of the store's snapshot (reactive in templates and $derived), the
// store's actions handed on (resume included), and resuming a durable job, on the real route and emulator.
import { stackPerFile, THREE, WAIT } from '@seedream-kit/binding-harness';
import { createSeedreamStore } from '@seedream-kit/core/store';
import { flushSync, mount, unmount } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import { createHttpTransport, type UseSeedreamOptions, type UseSeedreamResult } from '../src/index.js';
import Probe from './fixtures/Probe.svelte';

const live = stackPerFile();

/** useSeedream in a mounted component (so onMount and onDestroy run), with its rendered text and a destroy. */
function inComponent(options: UseSeedreamOptions): { seedream: UseSeedreamResult; shown(): string; destroy(): void } {
  let seedream!: UseSeedreamResult;
  const target = document.body.appendChild(document.createElement('div'));
  const component = mount(Probe, { target, props: { options, expose: (value: UseSeedreamResult) => (seedream = value) } });
  flushSync();
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    void unmount(component);
    target.remove();
  };
  live.cleanups.push(destroy);
  return { seedream, shown: () => target.textContent?.trim() ?? '', destroy };
}

describe('useSeedream (Svelte) binds the store generically', () => {
  it("has a getter per field of the store's snapshot and every action of the store, nothing of its plumbing", () => {
    const transport = createHttpTransport({ url: live.stack.routeUrl });
    const { seedream } = inComponent({ transport });
    const store = createSeedreamStore({ transport });
    const fields = Object.keys(store.getSnapshot());
    expect(fields).toEqual(expect.arrayContaining(['status', 'images', 'error', 'usage', 'isPending', 'jobId']));
    for (const field of fields) expect([field, typeof Object.getOwnPropertyDescriptor(seedream, field)?.get]).toEqual([field, 'function']);
    const actions = Object.keys(store).filter((key) => !['getSnapshot', 'getServerSnapshot', 'subscribe', 'detach', 'resumeSaved'].includes(key));
    expect(actions).toEqual(expect.arrayContaining(['generate', 'generateAsync', 'abort', 'reset', 'resume']));
    for (const action of actions) expect([action, typeof seedream[action as keyof UseSeedreamResult]]).toEqual([action, 'function']);
    expect(Object.keys(seedream).sort()).toEqual([...fields, ...actions].sort());
  });

  it('the getters are live and the template follows them; a flag narrows the rest', async () => {
    const probe = inComponent({ transport: createHttpTransport({ url: live.stack.routeUrl }) });
    expect(probe.shown()).toBe('idle:0:');
    await probe.seedream.generateAsync({ prompt: 'a kite', size: '1024x1024' });
    expect(probe.seedream.status).toBe('success');
    expect(probe.seedream.usage?.generated_images).toBe(1);
    const { seedream } = probe;
    expect(seedream.isSuccess && seedream.result.images).toHaveLength(1);
    await vi.waitFor(() => expect(probe.shown()).toBe(`success:1:${seedream.jobId}`), WAIT);
    expect(seedream.jobId).toMatch(/\S/);
  });

  it('resume(jobId) re-attaches to a running job: its images so far, then the rest, with no second paid call', async () => {
    live.stack.faults.push('latency=400');
    const first = inComponent({ transport: createHttpTransport({ url: live.stack.routeUrl }), abortOnDestroy: false });
    first.seedream.generate(THREE);
    await vi.waitFor(() => expect(first.seedream.images).toHaveLength(1), WAIT);
    const jobId = first.seedream.jobId!;
    expect(jobId).toMatch(/\S/);
    first.destroy(); // the job keeps running on the server (abortOnDestroy: false, the route keeps jobs)

    const second = inComponent({ transport: createHttpTransport({ url: live.stack.routeUrl }) });
    const result = await second.seedream.resume(jobId);
    expect(result.images.map((image) => image.index)).toEqual([0, 1, 2]);
    expect(second.seedream.status).toBe('success');
    expect(second.seedream.jobId).toBe(jobId);
    expect(live.stack.emulator.log.generations()).toHaveLength(1);
  });

  it('resumeOnReload: a new component with the same key resumes the job a previous page left running', async () => {
    live.stack.faults.push('latency=400');
    const before = inComponent({ transport: createHttpTransport({ url: live.stack.routeUrl }), resumeOnReload: 'test-job', abortOnDestroy: false });
    before.seedream.generate(THREE);
    await vi.waitFor(() => expect(before.seedream.images).toHaveLength(1), WAIT);
    expect(sessionStorage.getItem('test-job')).toBe(before.seedream.jobId);
    before.destroy();

    const after = inComponent({ transport: createHttpTransport({ url: live.stack.routeUrl }), resumeOnReload: 'test-job' });
    await vi.waitFor(() => expect(after.seedream.status).toBe('success'), WAIT);
    expect(after.seedream.images).toHaveLength(3);
    expect(sessionStorage.getItem('test-job')).toBeNull();
    expect(live.stack.emulator.log.generations()).toHaveLength(1);
  });
});

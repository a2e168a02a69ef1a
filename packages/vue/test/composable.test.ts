// What is Vue's own: refs for every field of the store's snapshot, the store's actions handed on (resume
// included), an effect scope's disposal aborting, and resuming a durable job, on the real route and emulator.
import { stackPerFile, THREE, WAIT } from '@seedream-kit/binding-harness';
import { createSeedreamStore } from '@seedream-kit/core/store';
import { createApp, defineComponent, effectScope, h, isRef, nextTick } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import { createHttpTransport, useSeedream, type UseSeedreamOptions, type UseSeedreamReturn } from '../src/index.js';

const live = stackPerFile();

/** useSeedream inside a mounted component (so onMounted and onScopeDispose run), with an unmount. */
function inComponent(options: UseSeedreamOptions): { seedream: UseSeedreamReturn; unmount(): void } {
  let seedream!: UseSeedreamReturn;
  const app = createApp(
    defineComponent({
      setup() {
        seedream = useSeedream(options);
        return () => h('div');
      },
    }),
  );
  app.mount(document.body.appendChild(document.createElement('div')));
  const unmount = () => app.unmount();
  live.cleanups.push(unmount);
  return { seedream, unmount };
}

describe('useSeedream (Vue) binds the store generically', () => {
  it("has one read-only ref per field of the store's snapshot and every action of the store, nothing of its plumbing", () => {
    const transport = createHttpTransport({ url: live.stack.routeUrl });
    const scope = effectScope();
    const seedream = scope.run(() => useSeedream({ transport }))!;
    live.cleanups.push(() => scope.stop());
    const store = createSeedreamStore({ transport });
    const fields = Object.keys(store.getSnapshot());
    expect(fields).toEqual(expect.arrayContaining(['status', 'images', 'error', 'usage', 'isPending', 'jobId']));
    for (const field of fields) expect([field, isRef(seedream[field as keyof UseSeedreamReturn])]).toEqual([field, true]);
    const actions = Object.keys(store).filter((key) => !['getSnapshot', 'getServerSnapshot', 'subscribe', 'detach', 'resumeSaved'].includes(key));
    expect(actions).toEqual(expect.arrayContaining(['generate', 'generateAsync', 'abort', 'reset', 'resume']));
    for (const action of actions) expect([action, typeof seedream[action as keyof UseSeedreamReturn]]).toEqual([action, 'function']);
    expect(Object.keys(seedream).sort()).toEqual([...fields, ...actions, 'state'].sort());
  });

  it('refs and state follow the store, and state narrows', async () => {
    const scope = effectScope();
    const seedream = scope.run(() => useSeedream({ transport: createHttpTransport({ url: live.stack.routeUrl }) }))!;
    live.cleanups.push(() => scope.stop());
    expect(seedream.status.value).toBe('idle');
    await seedream.generateAsync({ prompt: 'a kite', size: '1024x1024' });
    expect(seedream.status.value).toBe('success');
    expect(seedream.isSuccess.value).toBe(true);
    expect(seedream.usage.value?.generated_images).toBe(1);
    expect(seedream.jobId.value).toMatch(/\S/);
    const state = seedream.state.value;
    expect(state.isSuccess && state.result.images).toHaveLength(1);
  });

  it('stopping a bare effect scope aborts the call in flight (onScopeDispose)', async () => {
    live.stack.faults.push('latency=1500');
    const scope = effectScope();
    const seedream = scope.run(() => useSeedream({ transport: createHttpTransport({ url: live.stack.routeUrl }) }))!;
    seedream.generate({ prompt: 'a slow kite', size: '1024x1024' });
    await live.stack.emulator.log.waitFor((e) => e.kind === 'generation');
    scope.stop();
    const entry = await live.stack.emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 5000);
    expect(entry.aborted).toBe(true);
  });

  it('resume(jobId) re-attaches to a running job: its images so far, then the rest, with no second paid call', async () => {
    live.stack.faults.push('latency=400');
    const first = inComponent({ transport: createHttpTransport({ url: live.stack.routeUrl }), abortOnDispose: false });
    first.seedream.generate(THREE);
    await vi.waitFor(() => expect(first.seedream.images.value).toHaveLength(1), WAIT);
    const jobId = first.seedream.jobId.value!;
    expect(jobId).toMatch(/\S/);
    first.unmount(); // the job keeps running on the server (abortOnDispose: false, the route keeps jobs)

    const second = inComponent({ transport: createHttpTransport({ url: live.stack.routeUrl }) });
    const result = await second.seedream.resume(jobId);
    expect(result.images.map((image) => image.index)).toEqual([0, 1, 2]);
    expect(second.seedream.status.value).toBe('success');
    expect(second.seedream.jobId.value).toBe(jobId);
    expect(live.stack.emulator.log.generations()).toHaveLength(1);
  });

  it('resumeOnReload: a new component with the same key resumes the job a previous page left running', async () => {
    live.stack.faults.push('latency=400');
    const before = inComponent({ transport: createHttpTransport({ url: live.stack.routeUrl }), resumeOnReload: 'test-job', abortOnDispose: false });
    before.seedream.generate(THREE);
    await vi.waitFor(() => expect(before.seedream.images.value).toHaveLength(1), WAIT);
    expect(sessionStorage.getItem('test-job')).toBe(before.seedream.jobId.value);
    before.unmount();

    const after = inComponent({ transport: createHttpTransport({ url: live.stack.routeUrl }), resumeOnReload: 'test-job' });
    await nextTick();
    await vi.waitFor(() => expect(after.seedream.status.value).toBe('success'), WAIT);
    expect(after.seedream.images.value).toHaveLength(3);
    expect(sessionStorage.getItem('test-job')).toBeNull();
    expect(live.stack.emulator.log.generations()).toHaveLength(1);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { SeedreamClientError, isSeedreamClientError } from '@seedream-kit/core/transport';
import { createSeedreamStore, type SeedreamState } from '../src/store.js';
import type { ClientEvent, ClientGenerateParams, ClientResult, SeedreamTransport } from '@seedream-kit/core/transport';

const result = (n: number, model = 'm'): ClientResult => ({
  images: Array.from({ length: n }, (_, index) => ({ index, url: `https://x/${model}/${index}` })),
  usage: { generated_images: n },
  model,
  created: 1,
});

/** A transport the test drives by hand: it ignores its signal unless told to honour it. */
function manualTransport(honourSignal = false) {
  const calls: Array<{
    params: ClientGenerateParams;
    signal: AbortSignal;
    emit: (event: ClientEvent) => void;
    resolve: (r: ClientResult) => void;
    reject: (e: unknown) => void;
  }> = [];
  const transport: SeedreamTransport = {
    generate: (params, ctx) =>
      new Promise((resolve, reject) => {
        calls.push({ params, signal: ctx.signal, emit: (event) => ctx.onEvent?.(event), resolve, reject });
        if (honourSignal) ctx.signal.addEventListener('abort', () => reject(new SeedreamClientError('aborted', 'aborted')));
      }),
  };
  return { transport, calls };
}

function record(store: ReturnType<typeof createSeedreamStore>) {
  const seen: SeedreamState[] = [];
  store.subscribe(() => seen.push(store.getSnapshot()));
  return seen;
}

describe('createSeedreamStore', () => {
  it('goes idle → pending → streaming (one image at a time) → success', async () => {
    const { transport, calls } = manualTransport();
    const store = createSeedreamStore({ transport });
    const seen = record(store);
    expect(store.getSnapshot().status).toBe('idle');
    const done = store.generate({ prompt: 'p', stream: true });
    expect(store.getSnapshot()).toMatchObject({ status: 'pending', images: [], variables: { prompt: 'p' } });
    calls[0]!.emit({ type: 'image', image: { index: 0, url: 'a' } });
    expect(store.getSnapshot()).toMatchObject({ status: 'streaming', images: [{ index: 0 }] });
    calls[0]!.emit({ type: 'image', image: { index: 1, url: 'b' } });
    expect(store.getSnapshot().images).toHaveLength(2);
    calls[0]!.resolve(result(2));
    await expect(done).resolves.toEqual(result(2));
    const last = store.getSnapshot();
    expect(last.status).toBe('success');
    if (last.status === 'success') expect(last.result.usage?.generated_images).toBe(2);
    expect(seen.map((s) => `${s.status}:${s.images.length}`)).toEqual(['pending:0', 'streaming:1', 'streaming:2', 'success:2']);
  });

  it('lands errors in the state, keeping images that arrived before the failure', async () => {
    const { transport, calls } = manualTransport();
    const onError = vi.fn();
    const onSettled = vi.fn();
    const store = createSeedreamStore({ transport, onError, onSettled });
    const done = store.generate({ prompt: 'p', stream: true });
    calls[0]!.emit({ type: 'image', image: { index: 0, url: 'a' } });
    calls[0]!.reject(new SeedreamClientError('upstream', 'boom', { status: 502 }));
    const error = await done.catch((e: unknown) => e);
    expect(isSeedreamClientError(error) && error.kind).toBe('upstream');
    const state = store.getSnapshot();
    expect(state.status).toBe('error');
    if (state.status === 'error') expect(state.error.kind).toBe('upstream');
    expect(state.images).toHaveLength(1);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onSettled).toHaveBeenCalledWith(undefined, error, { prompt: 'p', stream: true });
  });

  it('last call wins: a detached call can never write, even from a transport that ignores its signal', async () => {
    const { transport, calls } = manualTransport(false);
    const onSuccess = vi.fn();
    const store = createSeedreamStore({ transport, onSuccess });
    const first = store.generate({ prompt: 'first' });
    const second = store.generate({ prompt: 'second' });
    expect(calls[0]!.signal.aborted).toBe(true); // the old request is cancelled as well
    calls[1]!.resolve(result(1, 'second'));
    await second;
    calls[0]!.emit({ type: 'image', image: { index: 9, url: 'late' } });
    calls[0]!.resolve(result(3, 'first'));
    await expect(first).rejects.toMatchObject({ kind: 'aborted' });
    const state = store.getSnapshot();
    expect(state.status === 'success' && state.result.model).toBe('second');
    expect(state.images).toHaveLength(1);
    expect(onSuccess).toHaveBeenCalledTimes(1);
    expect(onSuccess.mock.calls[0]![1]).toEqual({ prompt: 'second' });
  });

  it('abort() settles at once as an aborted error and cancels the signal', async () => {
    const { transport, calls } = manualTransport(false);
    const store = createSeedreamStore({ transport });
    const done = store.generate({ prompt: 'p', stream: true });
    calls[0]!.emit({ type: 'image', image: { index: 0, url: 'a' } });
    store.abort();
    expect(calls[0]!.signal.aborted).toBe(true);
    const state = store.getSnapshot();
    expect(state.status).toBe('error');
    if (state.status === 'error') {
      expect(state.error.kind).toBe('aborted');
      expect(state.error.partialResult?.images).toHaveLength(1);
    }
    calls[0]!.resolve(result(2));
    await expect(done).rejects.toMatchObject({ kind: 'aborted' });
    expect(store.getSnapshot()).toBe(state);
    store.abort(); // nothing in flight: no change
    expect(store.getSnapshot()).toBe(state);
  });

  it('reset() returns to idle and detaches the call in flight', async () => {
    const { transport, calls } = manualTransport(true);
    const store = createSeedreamStore({ transport });
    const done = store.generate({ prompt: 'p' });
    store.reset();
    expect(store.getSnapshot().status).toBe('idle');
    expect(calls[0]!.signal.aborted).toBe(true);
    await expect(done).rejects.toMatchObject({ kind: 'aborted' });
    expect(store.getSnapshot().status).toBe('idle');
  });

  it('detach() cancels like abort() but without calling back', async () => {
    const { transport, calls } = manualTransport(true);
    const onError = vi.fn();
    const onSettled = vi.fn();
    const store = createSeedreamStore({ transport, onError, onSettled });
    const done = store.generate({ prompt: 'p' });
    store.detach();
    await expect(done).rejects.toMatchObject({ kind: 'aborted' });
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(store.getSnapshot()).toMatchObject({ status: 'error', error: { kind: 'aborted' } });
    expect(onError).not.toHaveBeenCalled();
    expect(onSettled).not.toHaveBeenCalled();
  });

  it('refuses invalid params before calling the transport (built-in checks and a custom validator)', async () => {
    const generate = vi.fn();
    const store = createSeedreamStore({
      transport: { generate },
      validate: (params) => (params.size === 'huge' ? [{ path: 'size', message: 'no', severity: 'error' }, { path: 'x', message: 'just advice', severity: 'warning' }] : []),
    });
    await expect(store.generate({ prompt: '  ' })).rejects.toMatchObject({ kind: 'validation', fields: [{ path: 'prompt' }] });
    await expect(store.generate({ prompt: 'ok', sequential_image_generation_options: { max_images: 99 } })).rejects.toMatchObject({
      fields: [{ path: 'sequential_image_generation_options.max_images' }],
    });
    const error = (await store.generate({ prompt: 'ok', size: 'huge' }).catch((e: unknown) => e)) as SeedreamClientError;
    expect(error.fields).toEqual([{ path: 'size', message: 'no' }]);
    expect(generate).not.toHaveBeenCalled();
    expect(store.getSnapshot().status).toBe('error');
  });

  it('reads its config at call time, so callbacks are always the latest', async () => {
    const { transport, calls } = manualTransport();
    const log: string[] = [];
    let config = { transport, onSuccess: () => log.push('old') };
    const store = createSeedreamStore(() => config);
    const done = store.generate({ prompt: 'p' });
    config = { transport, onSuccess: () => log.push('new') };
    calls[0]!.resolve(result(1));
    await done;
    expect(log).toEqual(['new']);
  });

  it('serves an idle server snapshot and stops notifying after unsubscribe', async () => {
    const { transport, calls } = manualTransport();
    const store = createSeedreamStore({ transport });
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    void store.generate({ prompt: 'p' });
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    calls[0]!.resolve(result(1));
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getServerSnapshot().status).toBe('idle');
  });
});

describe('SeedreamClientError', () => {
  it('is recognised across copies by its brand', () => {
    const error = new SeedreamClientError('rate_limit', 'slow down', { status: 429, retryAfter: 3 });
    expect(error).toBeInstanceOf(SeedreamClientError);
    expect(error).toBeInstanceOf(Error);
    const foreign = Object.assign(new Error('x'), { kind: 'timeout', [Symbol.for('seedream-kit.client-error')]: true });
    expect(isSeedreamClientError(foreign)).toBe(true);
    expect(foreign).toBeInstanceOf(SeedreamClientError);
    expect(isSeedreamClientError(Object.assign(new Error('x'), { [Symbol.for('seedream-kit.client-error')]: true }))).toBe(false);
    expect(isSeedreamClientError(new Error('x'))).toBe(false);
    expect(error).toMatchObject({ name: 'SeedreamClientError', kind: 'rate_limit', status: 429, retryAfter: 3 });
  });
});

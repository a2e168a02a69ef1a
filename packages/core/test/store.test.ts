/**
 * `@seedream-kit/core/store`, the framework-free state of one generation slot: its snapshots (status and flags,
 * one object per state), last call wins, abort / reset / detach, callbacks, validation before sending. The
 * transports are plain objects implementing the SeedreamTransport contract: one the test drives by hand, and
 * one over core's own client talking HTTP to the emulator.
 */
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { Emulator } from '@seedream-kit/emulator';
import { clientErrorKindForStatus, isAPIError, type Seedream } from '../src/index.js';
import { createSeedreamStore, type SeedreamState, type SeedreamStore } from '../src/store.js';
import { CLIENT_ERROR_KINDS, SeedreamClientError, isSeedreamClientError } from '../src/transport.js';
import type { ClientEvent, ClientGenerateParams, ClientImage, ClientResult, SeedreamTransport } from '../src/transport.js';
import { clientFor, fault, withEmulator } from './helpers.js';

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

function record(store: SeedreamStore) {
  const seen: SeedreamState[] = [];
  store.subscribe(() => seen.push(store.getSnapshot()));
  return seen;
}

const FLAGS = ['isIdle', 'isPending', 'isStreaming', 'isSuccess', 'isError'] as const;
/** The flags that are true, e.g. `['isSuccess']`. */
const flagsOf = (state: SeedreamState) => FLAGS.filter((flag) => state[flag]);

describe('createSeedreamStore', () => {
  it('goes idle → pending → streaming (one image at a time) → success', async () => {
    const { transport, calls } = manualTransport();
    const store = createSeedreamStore({ transport });
    const seen = record(store);
    expect(store.getSnapshot().status).toBe('idle');
    const done = store.generateAsync({ prompt: 'p', stream: true });
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

  it('every snapshot carries its status flags, exactly one of them true and matching the status', async () => {
    const { transport, calls } = manualTransport();
    const store = createSeedreamStore({ transport });
    const seen = record(store);
    const idle = store.getSnapshot();
    expect(flagsOf(idle)).toEqual(['isIdle']);
    expect(flagsOf(store.getServerSnapshot())).toEqual(['isIdle']);
    store.generate({ prompt: 'p', stream: true });
    calls[0]!.emit({ type: 'image', image: { index: 0, url: 'a' } });
    calls[0]!.resolve(result(1));
    await vi.waitFor(() => expect(store.getSnapshot().status).toBe('success'));
    store.generate({ prompt: 'p' });
    calls[1]!.reject(new SeedreamClientError('upstream', 'boom'));
    await vi.waitFor(() => expect(store.getSnapshot().status).toBe('error'));
    store.reset();
    expect(seen.map((state) => [state.status, ...flagsOf(state)])).toEqual([
      ['pending', 'isPending'],
      ['streaming', 'isStreaming'],
      ['success', 'isSuccess'],
      ['pending', 'isPending'],
      ['error', 'isError'],
      ['idle', 'isIdle'],
    ]);
    expect(store.getSnapshot()).toBe(idle); // reset returns the one idle snapshot
  });

  it('a flag narrows the snapshot like its status does', () => {
    const state = createSeedreamStore({ transport: manualTransport().transport }).getSnapshot();
    if (state.isSuccess) {
      expectTypeOf(state.status).toEqualTypeOf<'success'>();
      expectTypeOf(state.result).toEqualTypeOf<ClientResult>();
    }
    if (state.isError) expectTypeOf(state.error).toEqualTypeOf<SeedreamClientError>();
    if (state.isIdle) expectTypeOf(state.variables).toEqualTypeOf<undefined>();
    if (state.status === 'streaming') expectTypeOf(state.isStreaming).toEqualTypeOf<true>();
    if (state.status === 'pending') expectTypeOf(state.isSuccess).toEqualTypeOf<false>();
  });

  it('the snapshot is the same object until the state changes (what useSyncExternalStore needs)', async () => {
    const { transport, calls } = manualTransport();
    const store = createSeedreamStore({ transport });
    expect(store.getSnapshot()).toBe(store.getSnapshot());
    expect(store.getServerSnapshot()).toBe(store.getServerSnapshot());
    expect(Object.isFrozen(store.getServerSnapshot())).toBe(true);
    const done = store.generateAsync({ prompt: 'p', stream: true });
    const pending = store.getSnapshot();
    expect(store.getSnapshot()).toBe(pending);
    calls[0]!.emit({ type: 'image', image: { index: 0, url: 'a' } });
    const streaming = store.getSnapshot();
    expect(streaming).not.toBe(pending);
    expect(store.getSnapshot()).toBe(streaming);
    calls[0]!.resolve(result(1));
    await done;
    const success = store.getSnapshot();
    await Promise.resolve();
    expect(store.getSnapshot()).toBe(success);
  });

  it('its actions are plain functions: taken off the store, they work as they are', async () => {
    const { transport, calls } = manualTransport(true);
    const { generate, generateAsync, abort, reset, getSnapshot, subscribe } = createSeedreamStore({ transport });
    const listener = vi.fn();
    subscribe(listener);
    expect(generate({ prompt: 'p' })).toBeUndefined();
    expect(getSnapshot().isPending).toBe(true);
    abort();
    expect(getSnapshot()).toMatchObject({ status: 'error', error: { kind: 'aborted' } });
    const done = generateAsync({ prompt: 'q' });
    calls[1]!.resolve(result(1));
    await expect(done).resolves.toEqual(result(1));
    reset();
    expect(getSnapshot().isIdle).toBe(true);
    expect(listener).toHaveBeenCalledTimes(5); // pending, error, pending, success, idle
  });

  it('generate() is fire and forget: a failure lands in the state and the callbacks, never as an unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const onError = vi.fn();
      const store = createSeedreamStore({ transport: { generate: () => Promise.reject(new TypeError('fetch failed')) }, onError });
      store.generate({ prompt: 'p' });
      store.generate({ prompt: '' }); // refused before sending
      await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
      expect(store.getSnapshot()).toMatchObject({ status: 'error', error: { kind: 'validation' } });
      store.generate({ prompt: 'p' });
      await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(2));
      expect(store.getSnapshot()).toMatchObject({ status: 'error', error: { kind: 'network', message: CLIENT_ERROR_KINDS.network.message } });
      await new Promise((resolveLater) => setTimeout(resolveLater, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('lands errors in the state, keeping images that arrived before the failure', async () => {
    const { transport, calls } = manualTransport();
    const onError = vi.fn();
    const onSettled = vi.fn();
    const store = createSeedreamStore({ transport, onError, onSettled });
    const done = store.generateAsync({ prompt: 'p', stream: true });
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
    const first = store.generateAsync({ prompt: 'first' });
    const second = store.generateAsync({ prompt: 'second' });
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
    const done = store.generateAsync({ prompt: 'p', stream: true });
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
    const done = store.generateAsync({ prompt: 'p' });
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
    const done = store.generateAsync({ prompt: 'p' });
    store.detach();
    await expect(done).rejects.toMatchObject({ kind: 'aborted' });
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(store.getSnapshot()).toMatchObject({ status: 'error', isError: true, error: { kind: 'aborted' } });
    expect(onError).not.toHaveBeenCalled();
    expect(onSettled).not.toHaveBeenCalled();
  });

  it('refuses invalid params before calling the transport (built-in checks and a custom validator)', async () => {
    const generate = vi.fn();
    const store = createSeedreamStore({
      transport: { generate },
      validate: (params) =>
        params.size === 'huge'
          ? [
              { path: 'size', message: 'no', severity: 'error' },
              { path: 'x', message: 'just advice', severity: 'warning' },
            ]
          : [],
    });
    await expect(store.generateAsync({ prompt: '  ' })).rejects.toMatchObject({ kind: 'validation', fields: [{ path: 'prompt' }] });
    await expect(store.generateAsync({ prompt: 'ok', sequential_image_generation_options: { max_images: 99 } })).rejects.toMatchObject({
      fields: [{ path: 'sequential_image_generation_options.max_images' }],
    });
    await expect(store.generateAsync({ prompt: 'ok', image: [] })).rejects.toMatchObject({ fields: [{ path: 'image' }] });
    const error = (await store.generateAsync({ prompt: 'ok', size: 'huge' }).catch((e: unknown) => e)) as SeedreamClientError;
    expect(error.fields).toEqual([{ path: 'size', message: 'no' }]);
    expect(generate).not.toHaveBeenCalled();
    expect(store.getSnapshot().status).toBe('error');
  });

  it('reads its config at call time, so callbacks are always the latest', async () => {
    const { transport, calls } = manualTransport();
    const log: string[] = [];
    let config = { transport, onSuccess: () => log.push('old') };
    const store = createSeedreamStore(() => config);
    const done = store.generateAsync({ prompt: 'p' });
    config = { transport, onSuccess: () => log.push('new') };
    calls[0]!.resolve(result(1));
    await done;
    expect(log).toEqual(['new']);
  });

  it('a throwing callback does not stop the state machine (it is reported as an uncaught error)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const { transport, calls } = manualTransport();
      const onSettled = vi.fn();
      const store = createSeedreamStore({
        transport,
        onSuccess: () => {
          throw new Error('a bug in the app');
        },
        onSettled,
      });
      const done = store.generateAsync({ prompt: 'p' });
      calls[0]!.resolve(result(1));
      await expect(done).resolves.toEqual(result(1));
      expect(store.getSnapshot().isSuccess).toBe(true);
      expect(onSettled).toHaveBeenCalledTimes(1);
      expect(() => vi.runAllTimers()).toThrow('a bug in the app');
    } finally {
      vi.useRealTimers();
    }
  });

  it('serves an idle server snapshot and stops notifying after unsubscribe', async () => {
    const { transport, calls } = manualTransport();
    const store = createSeedreamStore({ transport });
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    store.generate({ prompt: 'p' });
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    calls[0]!.resolve(result(1));
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getServerSnapshot().status).toBe('idle');
  });
});

/** A SeedreamTransport over core's own client (server-side: it holds the key), streaming what it receives. */
function clientTransport(client: Seedream, headers: Record<string, string> = {}): SeedreamTransport {
  const toImage = (image: {
    index: number;
    url?: string | undefined;
    size?: string | undefined;
    error?: { code: string; message: string } | undefined;
  }): ClientImage => ({
    index: image.index,
    ...(image.url !== undefined && { url: image.url }),
    ...(image.size !== undefined && { size: image.size }),
    ...(image.error && { error: image.error }),
  });
  return {
    async generate(params, { signal, onEvent }) {
      const { stream, image, ...rest } = params;
      if (image !== undefined) throw new SeedreamClientError('bad_request', 'no reference images in this test transport');
      try {
        if (!stream) {
          const done = await client.generate({ ...rest, stream: false }, { signal, headers });
          return { images: done.images.map(toImage), ...(done.usage && { usage: done.usage }), model: done.model, created: done.created };
        }
        const events = await client.generate({ ...rest, stream: true }, { signal, headers });
        const images: ClientImage[] = [];
        for await (const event of events) {
          if (event.type === 'image_generation.completed')
            return { images, ...(event.usage && { usage: event.usage }), model: event.model, created: event.created };
          const next = toImage(event.image);
          images.push(next);
          onEvent?.({ type: 'image', image: next });
        }
        throw new SeedreamClientError('network', 'the stream ended without completing', { partialResult: { images, model: '', created: 0 } });
      } catch (error) {
        if (isSeedreamClientError(error)) throw error;
        if (signal.aborted) throw new SeedreamClientError('aborted', CLIENT_ERROR_KINDS.aborted.message, { cause: error });
        const status = isAPIError(error) ? error.status : undefined;
        const kind = status ? clientErrorKindForStatus(status) : 'network';
        throw new SeedreamClientError(kind, CLIENT_ERROR_KINDS[kind].message, { cause: error, ...(status && { status }) });
      }
    },
  };
}

describe('over HTTP, against the emulator', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await withEmulator({ latency: 30 });
  });
  afterAll(() => emu.close());

  const V40 = 'doubao-seedream-4-0-250828';
  const SERIES = {
    prompt: 'a series of 3 images of a lighthouse',
    size: '1K',
    sequential_image_generation: 'auto',
    stream: true,
  } satisfies ClientGenerateParams;

  it('streams a series image by image into the snapshots, then succeeds with the usage', async () => {
    const onImage = vi.fn();
    const store = createSeedreamStore({ transport: clientTransport(clientFor(emu, { model: V40 })), onImage });
    const seen = record(store);
    const done = await store.generateAsync(SERIES);
    expect(done.images.map((image) => image.index)).toEqual([0, 1, 2]);
    expect(seen.map((state) => `${state.status}:${state.images.length}`)).toEqual(['pending:0', 'streaming:1', 'streaming:2', 'streaming:3', 'success:3']);
    const last = store.getSnapshot();
    expect(last.isSuccess && last.usage?.generated_images).toBe(3);
    expect(last.images[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(onImage).toHaveBeenCalledTimes(3);
  });

  it('abort() mid-stream closes the HTTP request and keeps the images received', async () => {
    // Aborted as soon as the first image is in the state (from its callback).
    const store: SeedreamStore = createSeedreamStore({ transport: clientTransport(clientFor(emu, { model: V40 })), onImage: () => store.abort() });
    const done = store.generateAsync(SERIES);
    await expect(done).rejects.toMatchObject({ kind: 'aborted' });
    const state = store.getSnapshot();
    expect(state.isError && state.error.partialResult?.images.length).toBe(1);
    await vi.waitFor(() => expect(emu.log.generations().at(-1)!.aborted).toBe(true), { timeout: 5000 });
  });

  it("an upstream failure lands as the client error of its kind (here the emulator's 429)", async () => {
    const store = createSeedreamStore({ transport: clientTransport(clientFor(emu, { model: V40 }), fault('status=429').headers) });
    store.generate({ prompt: 'a paper boat', size: '1K' });
    await vi.waitFor(() => expect(store.getSnapshot().status).toBe('error'), { timeout: 5000 });
    expect(store.getSnapshot()).toMatchObject({ isError: true, error: { kind: 'rate_limit', status: 429 } });
  });
});

describe('the entry', () => {
  it('bundles for a browser without Node built-ins, React or the key-holding client', async () => {
    const built = await esbuild.build({
      entryPoints: [join(resolve(import.meta.dirname, '..'), 'src/store.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
    });
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs.filter((input) => input.startsWith('node:') || /\/(node|react|client|validation)\b/.test(input))).toEqual([]);
    expect(inputs.every((input) => input.startsWith('src/'))).toBe(true);
  });
});

describe('SeedreamClientError, the error of every snapshot', () => {
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

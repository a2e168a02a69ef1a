// Runs in happy-dom (with Node fetch kept): see vitest.config.ts.
import { CLIENT_ERROR_KINDS, validateParams, type SeedreamClientErrorKind } from '@seedream-kit/core';
import { renderPlaceholder } from '@seedream-kit/emulator';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, useEffect, useRef, useState, version } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  SeedreamProvider,
  createHttpTransport,
  useSeedream,
  type ClientGenerateParams,
  type ClientResult,
  type SeedreamTransport,
  type UseSeedreamOptions,
} from '../src/index.js';
import { FAKE_KEY, startStack, type Stack, type StackRoute } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  cleanup();
  await stack?.close();
  stack = undefined;
});

const WAIT = { timeout: 5000 };
const ONE = { prompt: 'a paper boat', size: '1024x1024' } satisfies ClientGenerateParams;
const THREE = {
  prompt: 'a series of 3 images of a lighthouse',
  size: '1024x1024',
  sequential_image_generation: 'auto',
  stream: true,
} satisfies ClientGenerateParams;

/** Records every committed render as `status:images` so tests can prove the intermediate states existed. */
function Generator({ params, options, renders }: { params: ClientGenerateParams; options?: UseSeedreamOptions; renders?: string[] }) {
  const seedream = useSeedream(options);
  renders?.push(`${seedream.status}:${seedream.images.length}`);
  return (
    <div>
      <p data-testid="status">{seedream.status}</p>
      <p data-testid="count">{seedream.images.length}</p>
      <p data-testid="prompt">{seedream.variables?.prompt}</p>
      {seedream.status === 'success' && <p data-testid="generated">{seedream.result.usage?.generated_images}</p>}
      {seedream.isError && (
        <p data-testid="error">
          {seedream.error.kind}|{seedream.error.status ?? ''}|{seedream.error.retryAfter ?? ''}|{(seedream.error.fields ?? []).map((f) => f.path).join(',')}
        </p>
      )}
      <button onClick={() => seedream.generate(params)}>go</button>
      <button onClick={() => seedream.abort()}>abort</button>
      <button onClick={() => seedream.reset()}>reset</button>
    </div>
  );
}

async function setup(route: StackRoute = {}, client = {}) {
  stack = await startStack(route, {}, client);
  const transport = createHttpTransport({ url: stack.url });
  return { ...stack, transport };
}

const text = (id: string) => screen.getByTestId(id).textContent;
/** What <Generator> renders for an error of a kind: `kind|status|retryAfter|fields`, the status being the kind's (CLIENT_ERROR_KINDS). */
const shown = (kind: SeedreamClientErrorKind, retryAfter = '', fields = '') => `${kind}|${CLIENT_ERROR_KINDS[kind].status}|${retryAfter}|${fields}`;

describe(`useSeedream on React ${version} against a real route and emulator`, () => {
  it('generates: idle → pending → success, one request', async () => {
    const { transport, emulator } = await setup();
    const renders: string[] = [];
    render(
      <SeedreamProvider transport={transport}>
        <Generator params={ONE} renders={renders} />
      </SeedreamProvider>,
    );
    expect(text('status')).toBe('idle');
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(text('count')).toBe('1');
    expect(text('generated')).toBe('1');
    expect(renders).toContain('pending:0');
    expect(emulator.log.generations()).toHaveLength(1);
  });

  it('streams a sequential generation: images arrive one by one before success', async () => {
    const { transport, faults } = await setup();
    faults.push('latency=300');
    const renders: string[] = [];
    render(<Generator params={THREE} options={{ transport }} renders={renders} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(`${text('status')}:${text('count')}`).toBe('streaming:1'), WAIT);
    await waitFor(() => expect(`${text('status')}:${text('count')}`).toBe('streaming:2'), WAIT);
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(text('count')).toBe('3');
    expect(renders).toEqual(expect.arrayContaining(['pending:0', 'streaming:1', 'streaming:2', 'success:3']));
    expect(renders.indexOf('streaming:1')).toBeLessThan(renders.indexOf('streaming:2'));
  });

  it('abort() cancels mid-stream: the state keeps the images, the emulator sees the client leave', async () => {
    const { transport, faults, emulator } = await setup({ pingInterval: 0 });
    faults.push('latency=500');
    render(<Generator params={THREE} options={{ transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('count')).toBe('1'), WAIT);
    fireEvent.click(screen.getByText('abort'));
    expect(text('error')).toBe('aborted|||');
    expect(text('count')).toBe('1');
    const entry = await emulator.log.waitFor((e) => e.kind === 'generation' && e.aborted === true, 4000);
    expect(entry.imagesGenerated).toBeLessThan(3);
  });

  it('last call wins under out-of-order latencies', async () => {
    const { transport, faults, emulator } = await setup();
    faults.push('latency=1500', 'latency=0');
    function Two() {
      const seedream = useSeedream({ transport });
      return (
        <div>
          <p data-testid="status">{seedream.status}</p>
          <p data-testid="prompt">{seedream.status === 'success' ? `${seedream.result.images.length}:${seedream.variables.prompt}` : ''}</p>
          <button onClick={() => seedream.generate({ ...ONE, prompt: 'slow first' })}>first</button>
          <button onClick={() => seedream.generate({ ...ONE, prompt: 'fast second' })}>second</button>
        </div>
      );
    }
    render(<Two />);
    fireEvent.click(screen.getByText('first'));
    await emulator.log.waitFor((e) => e.kind === 'generation');
    fireEvent.click(screen.getByText('second'));
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(text('prompt')).toBe('1:fast second');
    // The first request was cancelled, and whatever it does later cannot overwrite the second's state.
    const first = await emulator.log.waitFor((e) => (e.body as { prompt?: string } | undefined)?.prompt === 'slow first' && e.endedAt !== undefined, 4000);
    expect(first.aborted).toBe(true);
    expect(text('prompt')).toBe('1:fast second');
  });

  it('unmounting aborts the request in flight', async () => {
    const { transport, faults, emulator } = await setup();
    faults.push('latency=1500');
    const onSettled = vi.fn();
    const view = render(<Generator params={ONE} options={{ transport, onSettled }} />);
    fireEvent.click(screen.getByText('go'));
    await emulator.log.waitFor((e) => e.kind === 'generation');
    view.unmount();
    const entry = await emulator.log.waitFor((e) => e.kind === 'generation' && e.endedAt !== undefined, 4000);
    expect(entry.aborted).toBe(true);
    expect(onSettled).not.toHaveBeenCalled();
  });

  it('abortOnUnmount: false lets the request finish and still calls back', async () => {
    const { transport, faults, emulator } = await setup();
    faults.push('latency=400');
    const onSuccess = vi.fn();
    const view = render(<Generator params={ONE} options={{ transport, onSuccess, abortOnUnmount: false }} />);
    fireEvent.click(screen.getByText('go'));
    await emulator.log.waitFor((e) => e.kind === 'generation');
    view.unmount();
    await vi.waitFor(() => expect(onSuccess).toHaveBeenCalledTimes(1), WAIT);
    expect(emulator.log.generations()[0]!.aborted).toBeFalsy();
  });

  it('StrictMode sends exactly one request and does not abort it', async () => {
    const { transport, emulator, faults } = await setup();
    faults.push('latency=200');
    render(
      <StrictMode>
        <SeedreamProvider transport={transport}>
          <Generator params={THREE} />
        </SeedreamProvider>
      </StrictMode>,
    );
    expect(emulator.log.entries).toHaveLength(0);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(text('count')).toBe('3');
    expect(emulator.log.generations()).toHaveLength(1);
    expect(emulator.log.generations()[0]!.aborted).toBeFalsy();
  });

  it("abort-on-unmount survives StrictMode's simulated unmount/remount of a call started at mount", async () => {
    const { transport, emulator, faults } = await setup();
    faults.push('latency=300');
    function AutoStart() {
      const seedream = useSeedream({ transport });
      const started = useRef(false);
      useEffect(() => {
        // A guarded start-on-mount: StrictMode re-runs effects, the ref keeps it to one call.
        if (started.current) return;
        started.current = true;
        seedream.generate(ONE);
      }, [seedream]);
      return <p data-testid="status">{seedream.status}</p>;
    }
    render(
      <StrictMode>
        <AutoStart />
      </StrictMode>,
    );
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(emulator.log.generations()).toHaveLength(1);
    expect(emulator.log.generations()[0]!.aborted).toBeFalsy();
  });

  it('callbacks see the latest props (no stale closures)', async () => {
    const { transport, faults, emulator } = await setup();
    faults.push('latency=500');
    const seen: string[] = [];
    function Labelled() {
      const [label, setLabel] = useState('old');
      const seedream = useSeedream({ transport, onSuccess: () => seen.push(label) });
      return (
        <div>
          <p data-testid="status">{seedream.status}</p>
          <button onClick={() => seedream.generate(ONE)}>go</button>
          <button onClick={() => setLabel('new')}>relabel</button>
        </div>
      );
    }
    render(<Labelled />);
    fireEvent.click(screen.getByText('go'));
    await emulator.log.waitFor((e) => e.kind === 'generation');
    fireEvent.click(screen.getByText('relabel'));
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(seen).toEqual(['new']);
  });

  it('generateAsync resolves to the result, and onImage fires per streamed image', async () => {
    const { transport } = await setup();
    const images: number[] = [];
    let result: ClientResult | undefined;
    function Async() {
      const seedream = useSeedream({ transport, onImage: (image) => images.push(image.index) });
      return <button onClick={async () => (result = await seedream.generateAsync(THREE))}>go</button>;
    }
    render(<Async />);
    fireEvent.click(screen.getByText('go'));
    await vi.waitFor(() => expect(result?.images).toHaveLength(3), WAIT);
    expect(images.sort()).toEqual([0, 1, 2]);
    expect(result?.usage?.generated_images).toBe(3);
  });

  it('reset() returns to idle', async () => {
    const { transport } = await setup();
    render(<Generator params={ONE} options={{ transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    fireEvent.click(screen.getByText('reset'));
    expect(text('status')).toBe('idle');
    expect(text('count')).toBe('0');
  });

  it('sends a File from an <input type=file> as a reference image', async () => {
    const { transport, emulator } = await setup();
    const png = await renderPlaceholder({ prompt: 'ref', width: 64, height: 64 });
    const file = new File([new Uint8Array(png)], 'ref.png'); // no declared type, as drag and drop sometimes gives
    render(<Generator params={{ ...ONE, image: file }} options={{ transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(String((emulator.log.generations()[0]!.body as { image?: unknown }).image)).toMatch(/^data:image\/png;base64,/);
  });
});

describe(`useSeedream on React ${version} renders every error kind`, () => {
  const cases: Array<[fault: string, expected: string]> = [
    ['status=400', shown('bad_request')],
    ['status=401', shown('authentication')],
    ['status=403', shown('permission')],
    ['status=404', shown('not_found')],
    ['status=429,retry-after=5', shown('rate_limit', '5')],
    ['status=400,code=InputImageSensitiveContentDetected', shown('content_policy')],
    ['status=500', shown('upstream')],
  ];
  it.each(cases)('upstream fault %s → %s', async (fault, expected) => {
    const { transport, faults } = await setup();
    faults.push(fault);
    render(<Generator params={ONE} options={{ transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('error'), WAIT);
    expect(text('error')).toBe(expected);
  });

  it('a streamed request refused upstream → rate_limit with retryAfter, from the SSE error event', async () => {
    const { transport, faults } = await setup();
    faults.push('status=429,retry-after=6');
    render(<Generator params={THREE} options={{ transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('error'), WAIT);
    expect(text('error')).toBe(shown('rate_limit', '6'));
  });

  it('a stalled stream → timeout, keeping the image that arrived', async () => {
    const { transport, faults } = await setup({}, { streamIdleTimeout: 400 });
    faults.push('stall-stream=1');
    render(<Generator params={THREE} options={{ transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('error'), WAIT);
    expect(text('error')).toBe(shown('timeout'));
    expect(text('count')).toBe('1');
  });

  it('a stream that fails mid-way → upstream, keeping the image that arrived', async () => {
    const { transport, faults } = await setup();
    faults.push('stream-error=1');
    render(<Generator params={THREE} options={{ transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('error'), WAIT);
    expect(text('error')).toBe(shown('upstream'));
    expect(text('count')).toBe('1');
  });

  it('the route refusing the caller → permission; its validation → validation with fields', async () => {
    const { transport } = await setup({ policy: { authorize: () => false } });
    render(<Generator params={ONE} options={{ transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('error')).toBe(shown('permission')), WAIT);
    cleanup();
    await stack!.close();
    const second = await setup();
    render(<Generator params={{ ...ONE, size: '5x5' }} options={{ transport: second.transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('error')).toBe(shown('validation', '', 'size')), WAIT);
    expect(second.emulator.log.generations()).toHaveLength(0);
  });

  it('no route listening → network', async () => {
    const { url } = await setup();
    await stack!.close();
    stack = undefined;
    render(<Generator params={ONE} options={{ transport: createHttpTransport({ url }) }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('error')).toBe('network|||'), WAIT);
  });

  it('validation errors appear before any request (client-side, with core validateParams)', async () => {
    const { url, emulator } = await setup();
    const requests = vi.fn(globalThis.fetch);
    const transport = createHttpTransport({ url, fetch: requests });
    render(
      <SeedreamProvider transport={transport} validate={validateParams}>
        <Generator params={{ prompt: 'a boat', size: '5x5', image: [] }} />
      </SeedreamProvider>,
    );
    fireEvent.click(screen.getByText('go'));
    expect(text('status')).toBe('error');
    expect(text('error')).toMatch(/^validation\|\|\|/);
    expect(text('error')).toContain('size');
    expect(text('error')).toContain('image');
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(requests).not.toHaveBeenCalled();
    expect(emulator.log.entries).toHaveLength(0);
  });

  it('never shows the API key to the browser', async () => {
    const { faults } = await setup();
    const bodies: string[] = [];
    const transport: SeedreamTransport = createHttpTransport({
      url: stack!.url,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        bodies.push(await response.clone().text());
        return response;
      },
    });
    faults.push('status=401');
    render(<Generator params={ONE} options={{ transport }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('error'), WAIT);
    expect(bodies.join('')).not.toContain(FAKE_KEY);
  });
});

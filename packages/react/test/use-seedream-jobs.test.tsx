// Runs in happy-dom (with Node fetch kept): see vitest.config.ts. Durable jobs through the hook: the job id in
// the state, resume(jobId), and resumeOnReload through sessionStorage, against a real route and emulator.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, useSeedream, type ClientGenerateParams, type UseSeedreamOptions } from '../src/index.js';
import { startStack, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  cleanup();
  sessionStorage.clear();
  await stack?.close();
  stack = undefined;
});

const WAIT = { timeout: 8000 };
const THREE = {
  prompt: 'a series of 3 images of a lighthouse',
  size: '1024x1024',
  sequential_image_generation: 'auto',
  stream: true,
} satisfies ClientGenerateParams;
const text = (id: string) => screen.getByTestId(id).textContent;

function Gallery({ options, resumeId }: { options: UseSeedreamOptions; resumeId?: string }) {
  const seedream = useSeedream(options);
  return (
    <div>
      <p data-testid="status">{seedream.status}</p>
      <p data-testid="job">{seedream.jobId ?? ''}</p>
      <p data-testid="indexes">{seedream.images.map((image) => image.index).join(',')}</p>
      <button onClick={() => seedream.generate(THREE)}>go</button>
      <button onClick={() => resumeId && void seedream.resume(resumeId).catch(() => undefined)}>resume</button>
    </div>
  );
}

async function setup() {
  stack = await startStack({ pingInterval: 0 });
  return { ...stack, transport: createHttpTransport({ url: stack.url }) };
}

describe('useSeedream with durable jobs', () => {
  it('exposes the job id as soon as the server names it, and resume(id) in another component replays every image once', async () => {
    const { transport, faults, emulator } = await setup();
    faults.push('latency=300');
    const first = render(<Gallery options={{ transport, abortOnUnmount: false }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('job')).toMatch(/^job_/), WAIT);
    await waitFor(() => expect(text('indexes')).toBe('0'), WAIT);
    const jobId = text('job')!;
    first.unmount(); // a closed tab: abortOnUnmount false, so nothing is cancelled

    render(<Gallery options={{ transport }} resumeId={jobId} />);
    fireEvent.click(screen.getByText('resume'));
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(text('indexes')).toBe('0,1,2');
    expect(text('job')).toBe(jobId);
    expect(emulator.log.generations()).toHaveLength(1);
    expect(emulator.log.generations()[0]!.aborted).toBeFalsy();
  });

  it('resumeOnReload keeps the running job in sessionStorage and picks it up on the next mount; success forgets it', async () => {
    const { transport, faults, emulator } = await setup();
    faults.push('latency=300');
    const page = render(<Gallery options={{ transport, resumeOnReload: true, abortOnUnmount: false }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('indexes')).toBe('0'), WAIT);
    expect(sessionStorage.getItem('seedream-kit:job')).toBe(text('job'));
    page.unmount(); // the reload

    render(<Gallery options={{ transport, resumeOnReload: true }} />);
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(text('indexes')).toBe('0,1,2');
    expect(sessionStorage.getItem('seedream-kit:job')).toBeNull();
    expect(emulator.log.generations()).toHaveLength(1);
  });

  it('without resumeOnReload nothing is stored; a resume of an unknown job ends in a not_found error', async () => {
    const { transport } = await setup();
    render(<Gallery options={{ transport }} resumeId={`job_${'x'.repeat(32)}`} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(sessionStorage.length).toBe(0);
    fireEvent.click(screen.getByText('resume'));
    await waitFor(() => expect(text('status')).toBe('error'), WAIT);
  });

  it('each generate() sends its own Idempotency-Key', async () => {
    const { emulator } = await setup();
    const keys: string[] = [];
    const recording = createHttpTransport({
      url: stack!.url,
      fetch: (input, init) => {
        const key = new Headers(init?.headers).get('idempotency-key');
        if (key && init?.method === 'POST') keys.push(key);
        return fetch(input, init);
      },
    });
    render(<Gallery options={{ transport: recording }} />);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    fireEvent.click(screen.getByText('go'));
    await waitFor(() => expect(emulator.log.generations()).toHaveLength(2), WAIT);
    await waitFor(() => expect(text('status')).toBe('success'), WAIT);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    expect(keys[0]).toMatch(/^[0-9a-z]+(-[0-9a-z]+){3}$/);
  });
});

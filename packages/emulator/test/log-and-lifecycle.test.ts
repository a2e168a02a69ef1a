import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { generate, MODEL_40, SMALL, solidDataUri, withEmulator } from './helpers.js';

const body = { model: MODEL_40, prompt: 'a fox', size: SMALL };

describe('request log', () => {
  it('records what was asked and answered, with the key redacted and data URIs shortened', () =>
    withEmulator({}, async (emulator) => {
      const image = await solidDataUri('#123456', 128);
      const response = await generate(
        emulator,
        { ...body, image, response_format: 'b64_json' },
        { key: 'sk-secret-value', headers: { 'x-emulator-fault': 'latency=1' } },
      );
      await response.json();
      expect(emulator.log.entries).toHaveLength(1);
      const entry = emulator.log.entries[0]!;
      expect(entry).toMatchObject({
        id: 1,
        kind: 'generation',
        method: 'POST',
        path: '/v1/images/generations',
        status: 200,
        imagesGenerated: 1,
        stream: false,
        aborted: false,
        fault: 'latency=1',
        requestId: response.headers.get('x-request-id'),
      });
      expect(entry.headers.authorization).toBe('Bearer ***');
      expect(JSON.stringify(emulator.log.entries)).not.toContain('sk-secret-value');
      const logged = entry.body as any;
      expect(logged.prompt).toBe('a fox');
      expect(logged.image.length).toBeLessThan(100);
      expect(logged.image).toMatch(/^data:image\/png;base64,.+…\(\d+ chars\)$/);
      const answered = entry.response as any;
      expect(answered.data[0].b64_json.length).toBeLessThan(64);
      expect(answered.usage.generated_images).toBe(1);
      expect(entry.endedAt).toBeGreaterThanOrEqual(entry.startedAt);
    }));

  it('proves how many requests were sent: generations(), clear(), waitFor()', () =>
    withEmulator({}, async (emulator) => {
      expect(emulator.log.generations()).toHaveLength(0);
      const waiting = emulator.log.waitFor((entry) => entry.kind === 'generation' && entry.status === 200);
      await (await generate(emulator, body)).json();
      await fetch(`${emulator.url}/`);
      const entry = await waiting;
      expect(entry.id).toBe(1);
      expect(emulator.log.generations()).toHaveLength(1);
      expect(emulator.log.entries).toHaveLength(2);
      emulator.log.clear();
      expect(emulator.log.entries).toHaveLength(0);
      await expect(emulator.log.waitFor((e) => e.kind === 'generation', 100)).rejects.toThrow(/within 100 ms/);
    }));

  it('keeps at most logLimit entries', () =>
    withEmulator({ logLimit: 2 }, async (emulator) => {
      for (let i = 0; i < 3; i++) await (await fetch(`${emulator.url}/`)).text();
      expect(emulator.log.entries.map((entry) => entry.id)).toEqual([2, 3]);
    }));

  it('marks aborted when the client leaves before the response (499) and stops generating', () =>
    withEmulator({ latency: 150 }, async (emulator) => {
      const controller = new AbortController();
      const pending = generate(emulator, { ...body, prompt: '5 images', sequential_image_generation: 'auto' }, { signal: controller.signal });
      await emulator.log.waitFor((entry) => entry.kind === 'generation');
      setTimeout(() => controller.abort(), 200);
      await expect(pending).rejects.toThrow();
      const entry = await emulator.log.waitFor((e) => e.aborted);
      expect(entry).toMatchObject({ status: 499, aborted: true });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(entry.imagesGenerated).toBeLessThanOrEqual(2);
    }));

  it('marks aborted when the client leaves mid-stream (status stays 200)', () =>
    withEmulator({}, async (emulator) => {
      const controller = new AbortController();
      const response = await generate(
        emulator,
        { ...body, prompt: '3 images', stream: true, sequential_image_generation: 'auto' },
        { signal: controller.signal, headers: { 'x-emulator-fault': 'latency=300' } },
      );
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      const entry = await emulator.log.waitFor((e) => e.aborted);
      expect(entry).toMatchObject({ status: 200, aborted: true, stream: true });
      expect(entry.events).not.toContain('[DONE]');
    }));

  it('does not mark completed requests as aborted', () =>
    withEmulator({}, async (emulator) => {
      await (await generate(emulator, body)).json();
      await (await generate(emulator, { ...body, stream: true })).text();
      const entries = await Promise.all([1, 2].map((id) => emulator.log.waitFor((e) => e.id === id && e.endedAt !== undefined)));
      expect(entries.map((e) => e.aborted)).toEqual([false, false]);
    }));
});

describe('close()', () => {
  it('ends open streams and keep-alive sockets and stops listening', async () => {
    const emulator = await startEmulator();
    // A stalled stream that would stay open forever.
    const url = new URL(`${emulator.baseURL}/images/generations`);
    const streamEnded = new Promise<string>((resolve) => {
      const req = request(
        {
          method: 'POST',
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { authorization: 'Bearer k', 'x-emulator-fault': 'stall-stream=0' },
        },
        (res) => {
          res.resume();
          res.on('close', () => resolve('closed'));
        },
      );
      req.on('error', () => resolve('error'));
      req.end(JSON.stringify({ ...body, stream: true }));
    });
    await emulator.log.waitFor((entry) => entry.stream);
    // An idle keep-alive connection.
    await (await fetch(`${emulator.url}/`, { headers: { connection: 'keep-alive' } })).text();
    const closed = emulator.close();
    await expect(streamEnded).resolves.toMatch(/closed|error/);
    await closed;
    await expect(fetch(`${emulator.url}/`)).rejects.toThrow();
    expect(emulator.log.entries.find((entry) => entry.stream)?.aborted).toBe(false);
    await emulator.close(); // idempotent
  });

  it('ends a generation waiting on latency', async () => {
    const emulator = await startEmulator({ latency: 60_000 });
    const pending = generate(emulator, body).then(
      () => 'answered',
      () => 'failed',
    );
    await emulator.log.waitFor((entry) => entry.kind === 'generation');
    await emulator.close();
    expect(await pending).toBe('failed');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { generate, MODEL_40, MODEL_PRO, parseSse, SMALL } from './helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

const base = { model: MODEL_40, size: SMALL, stream: true, sequential_image_generation: 'auto' };

describe('streaming (SSE)', () => {
  it('sends one event per image, then completed, then [DONE]', async () => {
    const response = await generate(emulator, { ...base, prompt: 'a series of 3 frames', response_format: 'b64_json' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = parseSse(text);
    expect(events.map((e) => e.event)).toEqual([
      'image_generation.partial_succeeded',
      'image_generation.partial_succeeded',
      'image_generation.partial_succeeded',
      'image_generation.completed',
      undefined,
    ]);
    const payloads = events.slice(0, 4).map((e) => JSON.parse(e.data));
    for (const [i, payload] of payloads.slice(0, 3).entries()) {
      expect(payload).toMatchObject({ type: 'image_generation.partial_succeeded', model: MODEL_40, image_index: i, size: '1280x720' });
      expect(typeof payload.created).toBe('number');
      expect(Buffer.from(payload.b64_json, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(payload.url).toBeUndefined();
    }
    expect(payloads[3]).toMatchObject({
      type: 'image_generation.completed',
      model: MODEL_40,
      usage: { generated_images: 3, output_tokens: Math.floor((3 * 1280 * 720) / 256), total_tokens: Math.floor((3 * 1280 * 720) / 256) },
    });
    // Every data line is single-line JSON.
    for (const line of text.split('\n').filter((l) => l.startsWith('data: {'))) expect(() => JSON.parse(line.slice(6))).not.toThrow();
  });

  it('delivers events as images become ready (latency per image)', async () => {
    const started = Date.now();
    const response = await generate(emulator, { ...base, prompt: '2 images' }, { headers: { 'x-emulator-fault': 'latency=300' } });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let firstAt = 0;
    let completedWithFirst = false;
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (!firstAt && text.includes('partial_succeeded')) {
        firstAt = Date.now() - started;
        completedWithFirst = text.includes('image_generation.completed');
      }
    }
    // Order, not speed: the first image came after at least one latency, and before the stream was complete.
    expect(firstAt).toBeGreaterThanOrEqual(290);
    expect(completedWithFirst).toBe(false);
    expect(parseSse(text).filter((e) => e.event === 'image_generation.partial_succeeded')).toHaveLength(2);
  });

  it('sends partial_failed for a failed image and goes on; image_index counts failures too', async () => {
    const response = await generate(emulator, { ...base, prompt: '3 images' }, { headers: { 'x-emulator-fault': 'fail-image=1' } });
    const events = parseSse(await response.text());
    expect(events.map((e) => e.event)).toEqual([
      'image_generation.partial_succeeded',
      'image_generation.partial_failed',
      'image_generation.partial_succeeded',
      'image_generation.completed',
      undefined,
    ]);
    const failed = JSON.parse(events[1]!.data);
    expect(failed).toMatchObject({ type: 'image_generation.partial_failed', image_index: 1, error: { code: 'OutputImageSensitiveContentDetected' } });
    expect(JSON.parse(events[2]!.data).image_index).toBe(2);
    expect(JSON.parse(events[3]!.data).usage.generated_images).toBe(2);
  });

  it('stops after an internal per-image failure', async () => {
    const response = await generate(emulator, { ...base, prompt: '3 images' }, { headers: { 'x-emulator-fault': 'fail-image=0:internal' } });
    const events = parseSse(await response.text());
    expect(events.map((e) => e.event)).toEqual(['image_generation.partial_failed', 'image_generation.completed', undefined]);
    expect(JSON.parse(events[1]!.data).usage.generated_images).toBe(0);
  });

  it('answers validation errors for stream:true as plain 400 JSON', async () => {
    const response = await generate(emulator, { ...base, prompt: 'x', size: '1x1' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as any).error.param).toBe('size');
    const pro = await generate(emulator, { model: MODEL_PRO, prompt: 'x', size: '1K', stream: true });
    expect(pro.status).toBe(400);
    expect(((await pro.json()) as any).error.param).toBe('stream');
  });

  it('streams a single image with url when sequential is off', async () => {
    const response = await generate(emulator, { model: MODEL_40, size: SMALL, stream: true, prompt: '5 images' });
    const events = parseSse(await response.text());
    expect(events).toHaveLength(3);
    const image = JSON.parse(events[0]!.data);
    expect(image.url).toMatch(/X-Tos-Signature=/);
    expect((await fetch(image.url)).status).toBe(200);
  });

  it('logs the event types written', async () => {
    emulator.log.clear();
    await (await generate(emulator, { ...base, prompt: '2 images' })).text();
    const [entry] = emulator.log.generations();
    expect(entry).toMatchObject({ stream: true, status: 200, imagesGenerated: 2, aborted: false });
    expect(entry!.events).toEqual(['image_generation.partial_succeeded', 'image_generation.partial_succeeded', 'image_generation.completed', '[DONE]']);
  });
});

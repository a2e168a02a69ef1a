import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { generate, MODEL_40, parseSse, SMALL, withEmulator } from './helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

const body = { model: MODEL_40, prompt: 'a fox', size: SMALL };
const streamBody = { ...body, prompt: '3 images of a fox', stream: true, sequential_image_generation: 'auto' };
const withFault = (fault: string, b: unknown = body) => generate(emulator, b, { headers: { 'x-emulator-fault': fault } });

/** Raw HTTP exchange, to see what arrived before the connection ended. */
function rawPost(fault: string, payload: unknown): Promise<{ status?: number; headers?: Record<string, unknown>; text: string; error?: string }> {
  return new Promise((resolve) => {
    const url = new URL(`${emulator.baseURL}/images/generations`);
    let text = '';
    const req = request(
      {
        method: 'POST',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { authorization: 'Bearer k', 'content-type': 'application/json', 'x-emulator-fault': fault },
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
        res.on('error', (error) => resolve({ status: res.statusCode, headers: res.headers, text, error: error.message }));
        res.on('aborted', () => resolve({ status: res.statusCode, headers: res.headers, text, error: 'aborted' }));
      },
    );
    req.on('error', (error) => resolve({ text, error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end(JSON.stringify(payload));
  });
}

describe('fault injection (x-emulator-fault)', () => {
  it('status=429 answers the rate-limit error with Retry-After (default 1, or retry-after=)', async () => {
    const response = await withFault('status=429');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    const json = (await response.json()) as any;
    expect(json.error).toMatchObject({ code: 'RateLimitExceeded.EndpointIPMExceeded', type: 'TooManyRequests', param: '' });
    const later = await withFault('status=429,retry-after=7');
    expect(later.headers.get('retry-after')).toBe('7');
    const coded = (await (await withFault('status=429,code=RateLimitExceeded.EndpointRPMExceeded')).json()) as any;
    expect(coded.error.code).toBe('RateLimitExceeded.EndpointRPMExceeded');
  });

  it('status=500/502/503 answer the provider body for that status', async () => {
    const expected: Record<number, [string, string]> = {
      500: ['InternalServiceError', 'InternalServerError'],
      502: ['BadGateway', 'BadGateway'],
      503: ['ServiceUnavailable', 'ServiceUnavailable'],
    };
    for (const [status, [code, type]] of Object.entries(expected)) {
      const response = await withFault(`status=${status}`);
      expect(response.status).toBe(Number(status));
      expect(((await response.json()) as any).error).toMatchObject({ code, type });
      expect(response.headers.get('retry-after')).toBe(status === '503' ? '1' : null);
    }
    expect(emulator.log.generations().every((entry) => entry.imagesGenerated === 0)).toBe(true);
  });

  it('reset destroys the connection before any response byte', async () => {
    const result = await rawPost('reset', body);
    expect(result.status).toBeUndefined();
    expect(result.error).toBe('ECONNRESET');
    const entry = await emulator.log.waitFor((e) => e.fault === 'reset' && e.endedAt !== undefined);
    expect(entry).toMatchObject({ status: 0, aborted: false });
  });

  it('truncate sends 200 and half the JSON body, then cuts the connection', async () => {
    const result = await rawPost('truncate', body);
    expect(result.status).toBe(200);
    expect(result.error).toBeDefined();
    const declared = Number(result.headers!['content-length']);
    expect(Buffer.byteLength(result.text)).toBe(Math.floor(declared / 2));
    expect(result.text.startsWith('{"model":')).toBe(true);
    await expect(withFault('truncate').then((r) => r.json())).rejects.toThrow();
  });

  it('truncate on a stream cuts the completed event in half after the images', async () => {
    const result = await rawPost('truncate', streamBody);
    expect(result.status).toBe(200);
    const events = parseSse(result.text);
    expect(events.filter((e) => e.event === 'image_generation.partial_succeeded')).toHaveLength(3);
    expect(result.text).not.toContain('[DONE]');
    expect(() => JSON.parse(events.at(-1)!.data)).toThrow();
  });

  it('malformed-json answers 200 application/json that no parser accepts (and a broken first SSE event)', async () => {
    const response = await withFault('malformed-json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect(text.startsWith('{"model":')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    const stream = parseSse(await (await withFault('malformed-json', streamBody)).text());
    expect(() => JSON.parse(stream[0]!.data)).toThrow();
    expect(() => JSON.parse(stream[1]!.data)).not.toThrow();
  });

  it('latency=<ms> delays each image; slow-headers=<ms> delays the headers after generation', async () => {
    let started = Date.now();
    await (await withFault('latency=120', { ...body, prompt: '2 images', sequential_image_generation: 'auto' })).json();
    expect(Date.now() - started).toBeGreaterThanOrEqual(230);
    started = Date.now();
    const response = await withFault('slow-headers=200');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(response.status).toBe(200);
  });

  it('stall-stream=<k> sends k image events and then nothing, keeping the socket open', async () => {
    emulator.log.clear();
    const response = await withFault('stall-stream=1', streamBody);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) text += decoder.decode((await reader.read()).value, { stream: true });
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((resolve) => setTimeout(resolve, 400, 'silence'))]);
    expect(next).toBe('silence');
    expect(parseSse(text).map((e) => e.event)).toEqual(['image_generation.partial_succeeded']);
    const entry = emulator.log.generations()[0]!;
    expect(entry.endedAt).toBeUndefined();
    await reader.cancel();
    const ended = await emulator.log.waitFor((e) => e.id === entry.id && e.endedAt !== undefined);
    expect(ended.aborted).toBe(true);
  });

  it('stall-stream=0 sends headers and no event', async () => {
    const response = await withFault('stall-stream=0', streamBody);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((resolve) => setTimeout(resolve, 300, 'silence'))]);
    expect(next).toBe('silence');
    await reader.cancel();
  });

  it('stream-error=<k> sends k image events, then an error event, and ends', async () => {
    const response = await withFault('stream-error=2', streamBody);
    const text = await response.text();
    const events = parseSse(text);
    expect(events.map((e) => e.event)).toEqual(['image_generation.partial_succeeded', 'image_generation.partial_succeeded', 'error']);
    expect(JSON.parse(events[2]!.data)).toMatchObject({ error: { code: 'InternalServiceError' } });
    expect(text).not.toContain('[DONE]');
  });

  it('fail-image works server-wide too, combined with header directives', async () => {
    emulator.setFaults('fail-image=0');
    try {
      const response = await withFault('fail-image=2', { ...body, prompt: '3 images', sequential_image_generation: 'auto' });
      const json = (await response.json()) as any;
      expect(json.data.map((item: any) => (item.error ? item.error.code : 'ok'))).toEqual([
        'OutputImageSensitiveContentDetected',
        'ok',
        'OutputImageSensitiveContentDetected',
      ]);
      const entry = emulator.log.generations().at(-1)!;
      expect(entry.fault).toBe('fail-image=0,fail-image=2');
    } finally {
      emulator.setFaults(undefined);
    }
    const clean = (await (await generate(emulator, { ...body, prompt: '3 images', sequential_image_generation: 'auto' })).json()) as any;
    expect(clean.data.every((item: any) => item.url)).toBe(true);
  });

  it('rejects unknown directives: 400 on the header, a throw on options and setFaults', async () => {
    const response = await withFault('explode');
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error).toMatchObject({ code: 'InvalidParameter', param: 'x-emulator-fault' });
    expect(() => emulator.setFaults('latency=abc')).toThrow(/latency/);
    await expect(startEmulator({ faults: 'status=99' })).rejects.toThrow(/status/);
  });
});

describe('server-wide faults and latency', () => {
  it('applies the faults option to every generation request, not to downloads', () =>
    withEmulator({ faults: 'status=503,retry-after=3' }, async (emu) => {
      const response = await generate(emu, body);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('3');
      emu.setFaults(undefined);
      const ok = (await (await generate(emu, body)).json()) as any;
      emu.setFaults('status=500');
      expect((await fetch(ok.data[0].url)).status).toBe(200);
    }));

  it('draws random latencies from a seeded PRNG (reproducible)', async () => {
    const { createLatency } = await import('../src/internal/latency.js');
    const a = createLatency({ min: 10, max: 20 }, 42);
    const b = createLatency({ min: 10, max: 20 }, 42);
    const drawsA = Array.from({ length: 5 }, a);
    expect(drawsA).toEqual(Array.from({ length: 5 }, b));
    expect(drawsA.every((v) => v >= 10 && v <= 20)).toBe(true);
    expect(new Set(drawsA).size).toBeGreaterThan(1);
    const normal = createLatency({ mean: 50, sd: 10 }, 1);
    const draws = Array.from({ length: 200 }, normal);
    const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
    expect(mean).toBeGreaterThan(45);
    expect(mean).toBeLessThan(55);
    expect(createLatency(25)()).toBe(25);
    expect(() => createLatency(-1)).toThrow();
  });

  it('applies the latency option per image', () =>
    withEmulator({ latency: { min: 100, max: 120 } }, async (emu) => {
      const started = Date.now();
      await (await generate(emu, { ...body, prompt: '2 images', sequential_image_generation: 'auto' })).json();
      expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    }));
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { generateJson, meanColor, metadataOf, MODEL_40, MODEL_LITE, MODEL_PRO, SMALL, solidDataUri } from './helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

async function firstImage(body: Record<string, unknown>): Promise<{ bytes: Buffer; item: any; json: any }> {
  const { response, json } = await generateJson(emulator, { response_format: 'b64_json', ...body });
  expect(response.status, JSON.stringify(json).slice(0, 300)).toBe(200);
  const item = json.data[0];
  return { bytes: Buffer.from(item.b64_json, 'base64'), item, json };
}

describe('generated images', () => {
  it('are decodable images of exactly the requested size', async () => {
    for (const [model, size] of [
      [MODEL_40, '1280x720'],
      [MODEL_40, '720x1280'],
      [MODEL_40, '3840x240'],
      [MODEL_PRO, '1024x1024'],
    ] as const) {
      const { bytes, item } = await firstImage({ model, prompt: 'a quiet harbour', size });
      const meta = await metadataOf(bytes);
      expect(`${meta.width}x${meta.height}`).toBe(size);
      expect(item.size).toBe(size);
    }
  });

  it('maps presets to the table size, with the aspect taken from the prompt', async () => {
    const cases: Array<[string, string, string, string]> = [
      [MODEL_40, '1K', 'a cat', '1024x1024'],
      [MODEL_40, '1K', 'a cat, portrait', '832x1248'],
      [MODEL_40, '1K', 'a wide mountain view', '1280x720'],
      [MODEL_40, '1K', 'a poster 4:3', '1152x864'],
      [MODEL_PRO, '1K', 'a cinematic shot', '1568x672'],
      [MODEL_PRO, '1K', 'city skyline 9:16', '800x1424'],
    ];
    for (const [model, size, prompt, expected] of cases) {
      const { bytes, item } = await firstImage({ model, prompt, size });
      const meta = await metadataOf(bytes);
      expect(`${meta.width}x${meta.height}`, `${model} ${size} "${prompt}"`).toBe(expected);
      expect(item.size).toBe(expected);
    }
  });

  it('uses the model default size when none is given (2048x2048 on 4.x)', async () => {
    const { item } = await firstImage({ model: MODEL_40, prompt: 'default size' });
    expect(item.size).toBe('2048x2048');
  });

  it('renders large sizes (4096x4096)', async () => {
    const { bytes } = await firstImage({ model: MODEL_40, prompt: 'a huge mural', size: '4096x4096' });
    const meta = await metadataOf(bytes);
    expect([meta.width, meta.height]).toEqual([4096, 4096]);
  });

  it('is always JPEG on 4.x and follows output_format on 5.x', async () => {
    expect((await metadataOf((await firstImage({ model: MODEL_40, prompt: 'x', size: SMALL })).bytes)).format).toBe('jpeg');
    expect((await metadataOf((await firstImage({ model: MODEL_40, prompt: 'x', size: SMALL, output_format: 'png' })).bytes)).format).toBe('jpeg');
    const pro = await firstImage({ model: MODEL_PRO, prompt: 'x', size: '1K', output_format: 'png' });
    expect((await metadataOf(pro.bytes)).format).toBe('png');
    expect(pro.item.output_format).toBe('png');
    expect(pro.json.usage.input_images).toBe(0);
    expect((await metadataOf((await firstImage({ model: MODEL_PRO, prompt: 'x', size: '1K' })).bytes)).format).toBe('jpeg');
  });

  it('are deterministic: same request, same bytes; another seed or prompt, other bytes', async () => {
    const body = { model: MODEL_40, prompt: 'a red kite over dunes', size: SMALL, seed: 7 };
    const a = (await firstImage(body)).bytes;
    const b = (await firstImage(body)).bytes;
    expect(Buffer.compare(a, b)).toBe(0);
    const otherSeed = (await firstImage({ ...body, seed: 8 })).bytes;
    expect(Buffer.compare(a, otherSeed)).not.toBe(0);
    const otherPrompt = (await firstImage({ ...body, prompt: 'a blue kite over dunes' })).bytes;
    expect(Buffer.compare(a, otherPrompt)).not.toBe(0);
  });

  it('stamps a watermark by default and not with watermark: false', async () => {
    const body = { model: MODEL_LITE, prompt: 'a meadow', size: '2560x1440', output_format: 'png' };
    const marked = (await firstImage(body)).bytes;
    const explicit = (await firstImage({ ...body, watermark: true })).bytes;
    const clean = (await firstImage({ ...body, watermark: false })).bytes;
    expect(Buffer.compare(marked, explicit)).toBe(0);
    expect(Buffer.compare(marked, clean)).not.toBe(0);
    // The mark sits bottom-right: that corner differs, the top-left corner does not.
    const sharp = (await import('sharp')).default;
    const region = (bytes: Buffer, left: number, top: number) => sharp(bytes).extract({ left, top, width: 300, height: 60 }).raw().toBuffer();
    expect(Buffer.compare(await region(marked, 2560 - 320, 1440 - 80), await region(clean, 2560 - 320, 1440 - 80))).not.toBe(0);
    expect(Buffer.compare(await region(marked, 0, 600), await region(clean, 0, 600))).toBe(0);
  });

  it('takes colours from reference images', async () => {
    const body = { model: MODEL_40, prompt: 'a landscape in these colours', size: SMALL, watermark: false };
    const red = await firstImage({ ...body, image: await solidDataUri('#d01010') });
    const blue = await firstImage({ ...body, image: await solidDataUri('#1020d0') });
    const [rr, , rb] = await meanColor(red.bytes);
    const [br, , bb] = await meanColor(blue.bytes);
    expect(rr).toBeGreaterThan(rb + 40);
    expect(bb).toBeGreaterThan(br + 40);
  });

  it('reads reference images from loopback URLs, ignoring other hosts', async () => {
    const { createServer } = await import('node:http');
    const pngBytes = Buffer.from((await solidDataUri('#10b010')).split(',')[1]!, 'base64');
    const server = createServer((_, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(pngBytes));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const body = { model: MODEL_40, prompt: 'hills', size: SMALL, watermark: false };
      const green = await firstImage({ ...body, image: `http://127.0.0.1:${port}/ref.png` });
      const [r, g, b] = await meanColor(green.bytes);
      expect(g).toBeGreaterThan(r + 30);
      expect(g).toBeGreaterThan(b + 30);
      // A non-loopback URL is never fetched: the art is the same as without a reference.
      const remote = await firstImage({ ...body, image: 'http://example.invalid/ref.png' });
      const none = await firstImage(body);
      expect(Buffer.compare(remote.bytes, none.bytes)).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports usage: output_tokens = floor(Σ w·h / 256)', async () => {
    const { json } = await firstImage({ model: MODEL_40, prompt: 'x', size: '1280x720' });
    expect(json.usage).toEqual({ generated_images: 1, output_tokens: Math.floor((1280 * 720) / 256), total_tokens: Math.floor((1280 * 720) / 256) });
    expect(json.model).toBe(MODEL_40);
    expect(Math.abs(json.created - Date.now() / 1000)).toBeLessThan(60);
  });

  it('reports web search on 5.0 lite with tools', async () => {
    const { json } = await firstImage({
      model: MODEL_LITE,
      prompt: "today's weather in Paris as a poster",
      size: '2560x1440',
      tools: [{ type: 'web_search' }],
    });
    expect(json.tools).toEqual([{ type: 'web_search' }]);
    expect(json.usage.tool_usage).toEqual({ web_search: 1 });
  });
});

/**
 * Proof of faithfulness: unmodified real clients, pointed at the emulator by base URL and key only,
 * get decodable images of the requested size.
 */
import { createByteDance } from '@ai-sdk/bytedance';
import { generateImage } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { metadataOf, MODEL_40, solidDataUri } from './helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: ['real-client-key'] });
});
afterAll(() => emulator.close());

describe('openai (v6) images.generate', () => {
  const client = () => new OpenAI({ baseURL: emulator.baseURL, apiKey: 'real-client-key', maxRetries: 0 });

  it('gets URL images with the Seedream fields passed as extra body', async () => {
    const result = await client().images.generate({
      model: MODEL_40,
      prompt: 'a series of 2 postcards from a seaside town',
      size: '1280x720' as never,
      response_format: 'url',
      // Seedream fields the OpenAI types do not know: sent through unchanged.
      ...({ watermark: false, sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 2 } } as object),
    });
    expect(result.data).toHaveLength(2);
    for (const item of result.data ?? []) {
      const response = await fetch(item.url!);
      expect(response.status).toBe(200);
      const meta = await metadataOf(await response.arrayBuffer());
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 720]);
    }
    expect((result.usage as unknown as { generated_images: number }).generated_images).toBe(2);
    const logged = emulator.log.generations().at(-1)!.body as Record<string, unknown>;
    expect(logged).toMatchObject({ watermark: false, sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 2 } });
  });

  it('gets b64_json images', async () => {
    const result = await client().images.generate({ model: MODEL_40, prompt: 'a lantern', size: '1024x1024', response_format: 'b64_json' });
    const meta = await metadataOf(Buffer.from(result.data![0]!.b64_json!, 'base64'));
    expect([meta.width, meta.height]).toEqual([1024, 1024]);
  });

  it('surfaces the provider errors as typed APIErrors', async () => {
    const bad = await client()
      .images.generate({ model: MODEL_40, prompt: 'x', size: '1x1' as never })
      .catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('InvalidParameter');
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('size');
    const unauthorized = await new OpenAI({ baseURL: emulator.baseURL, apiKey: 'wrong', maxRetries: 0 }).images
      .generate({ model: MODEL_40, prompt: 'x' })
      .catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('reads the SSE stream', async () => {
    const stream = await client().images.generate({
      model: MODEL_40,
      prompt: '2 images of a kite',
      size: '1024x1024',
      response_format: 'b64_json',
      stream: true,
      ...({ sequential_image_generation: 'auto' } as object),
    } as never);
    const types: string[] = [];
    for await (const event of stream as unknown as AsyncIterable<{ type: string; b64_json?: string }>) {
      types.push(event.type);
      if (event.b64_json) expect((await metadataOf(Buffer.from(event.b64_json, 'base64'))).width).toBe(1024);
    }
    expect(types).toEqual(['image_generation.partial_succeeded', 'image_generation.partial_succeeded', 'image_generation.completed']);
  });
});

describe('ai (v6) generateImage with @ai-sdk/bytedance', () => {
  const provider = () => createByteDance({ baseURL: emulator.arkBaseURL, apiKey: 'real-client-key' });

  it('posts to {baseURL}/images/generations on the Ark path and gets images of the asked size', async () => {
    const { image, images } = await generateImage({
      model: provider().image('seedream-4-0-250828'),
      prompt: 'a paper boat on a pond',
      size: '1280x720',
      n: 2,
      providerOptions: { bytedance: { watermark: false } },
      maxRetries: 0,
    });
    expect(images).toHaveLength(2);
    const meta = await metadataOf(image.uint8Array);
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1280, 720]);
    const calls = emulator.log.generations().filter((entry) => entry.path === '/api/v3/images/generations');
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.at(-1)!.body).toMatchObject({ model: 'seedream-4-0-250828', size: '1280x720', response_format: 'b64_json', watermark: false });
  });

  it('passes reference images and provider options (5.0 lite, PNG)', async () => {
    const red = await solidDataUri('#cc2222');
    const { image } = await generateImage({
      model: provider().image('seedream-5-0-260128'),
      prompt: { text: 'a poster in these colours', images: [red] },
      size: '2560x1440',
      providerOptions: { bytedance: { outputFormat: 'png', watermark: true } },
      maxRetries: 0,
    });
    const meta = await metadataOf(image.uint8Array);
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 2560, 1440]);
  });

  it('surfaces the emulator error message', async () => {
    await expect(generateImage({ model: provider().image('seedream-4-5-251128'), prompt: 'x', size: '1024x1024', maxRetries: 0 })).rejects.toThrow(
      /total pixels/,
    );
  });
});

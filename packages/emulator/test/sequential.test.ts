import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { countFromPrompt, sequentialCount } from '../src/internal/prompt-rules.js';
import { generateJson, MODEL_40, SMALL, solidDataUri } from './helpers.js';

describe('the sequential count rule', () => {
  it('takes the first number 1–15 followed by an image word or preceded by "series of" / "set of"', () => {
    expect(countFromPrompt('a cat')).toBe(1);
    expect(countFromPrompt('4 images of a cat')).toBe(4);
    expect(countFromPrompt('generate 3 pictures, then 5 photos')).toBe(3);
    expect(countFromPrompt('a series of 6 frames')).toBe(6);
    expect(countFromPrompt('a set of 2 posters')).toBe(2);
    expect(countFromPrompt('3 cats in 4 panels')).toBe(4);
    expect(countFromPrompt('20 images of a dog, or 5 variations')).toBe(5);
    expect(countFromPrompt('生成4张海报')).toBe(4);
    expect(countFromPrompt('连环画 6幅')).toBe(6);
    expect(countFromPrompt('1 image')).toBe(1);
    expect(countFromPrompt('in 2026 images were cheap')).toBe(1);
  });

  it('caps by max_images and by 15 − reference images', () => {
    expect(sequentialCount('10 images', undefined, 0)).toBe(10);
    expect(sequentialCount('10 images', 3, 0)).toBe(3);
    expect(sequentialCount('15 images', undefined, 12)).toBe(3);
    expect(sequentialCount('a cat', 5, 0)).toBe(1);
  });
});

describe('sequential generation over HTTP', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  const base = { model: MODEL_40, size: SMALL, sequential_image_generation: 'auto' };

  it('returns the prompt count with auto, each image distinct, usage summed', async () => {
    const { json } = await generateJson(emulator, { ...base, prompt: 'a series of 3 comic panels' });
    expect(json.data).toHaveLength(3);
    const urls = json.data.map((item: any) => item.url);
    expect(new Set(urls).size).toBe(3);
    expect(urls.map((url: string) => new URL(url).pathname.match(/_(\d+)\.jpeg$/)?.[1])).toEqual(['0', '1', '2']);
    const bodies = await Promise.all(urls.map(async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer())));
    expect(Buffer.compare(bodies[0], bodies[1])).not.toBe(0);
    expect(json.usage).toEqual({ generated_images: 3, output_tokens: Math.floor((3 * 1280 * 720) / 256), total_tokens: Math.floor((3 * 1280 * 720) / 256) });
  });

  it('caps by max_images, by reference images, and gives 1 when disabled', async () => {
    expect(
      (await generateJson(emulator, { ...base, prompt: '8 images of a fox', sequential_image_generation_options: { max_images: 2 } })).json.data,
    ).toHaveLength(2);
    const refs = Array(13).fill(await solidDataUri('#888888', 32));
    expect((await generateJson(emulator, { ...base, prompt: '8 images of a fox', image: refs })).json.data).toHaveLength(2);
    expect((await generateJson(emulator, { ...base, prompt: '8 images of a fox', sequential_image_generation: 'disabled' })).json.data).toHaveLength(1);
    expect((await generateJson(emulator, { model: MODEL_40, size: SMALL, prompt: '8 images of a fox' })).json.data).toHaveLength(1);
  });

  it('turns a failed image into an error item and keeps going (moderation)', async () => {
    const { json } = await generateJson(emulator, { ...base, prompt: '3 images of a fox' }, { 'x-emulator-fault': 'fail-image=1' });
    expect(json.data).toHaveLength(3);
    expect(json.data[0].url).toBeDefined();
    expect(json.data[1]).toEqual({
      error: { code: 'OutputImageSensitiveContentDetected', message: 'The request failed because the output image may contain sensitive information.' },
    });
    expect(json.data[2].url).toBeDefined();
    expect(json.usage.generated_images).toBe(2);
    expect(json.usage.output_tokens).toBe(Math.floor((2 * 1280 * 720) / 256));
  });

  it('stops after an internal error on one image', async () => {
    const { json } = await generateJson(emulator, { ...base, prompt: '4 images of a fox' }, { 'x-emulator-fault': 'fail-image=1:internal' });
    expect(json.data).toHaveLength(2);
    expect(json.data[1].error.code).toBe('InternalServiceError');
    expect(json.usage.generated_images).toBe(1);
  });
});

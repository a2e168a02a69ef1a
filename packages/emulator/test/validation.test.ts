import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { generate, MODEL_40, MODEL_45, MODEL_LITE, MODEL_PRO, SMALL, solidDataUri, withEmulator } from './helpers.js';

let emulator: Emulator;
let png: string;
beforeAll(async () => {
  emulator = await startEmulator();
  png = await solidDataUri('#336699');
});
afterAll(() => emulator.close());

async function expectError(body: unknown, status: number, code: string, param: string, message?: RegExp) {
  const response = await generate(emulator, body);
  const json = (await response.json()) as any;
  expect({ status: response.status, code: json.error?.code, param: json.error?.param }).toEqual({ status, code, param });
  expect(json.error.type).toBe(status === 404 ? 'NotFound' : 'BadRequest');
  expect(json.error.message).toContain(`Request ID: ${response.headers.get('x-request-id')}`);
  if (message) expect(json.error.message).toMatch(message);
  return json;
}

const ok = { model: MODEL_40, prompt: 'a lighthouse', size: SMALL };

describe('request validation (first failing field, provider error shape)', () => {
  it('rejects a body that is not JSON or not an object', async () => {
    await expectError('{"model":', 400, 'InvalidParameter', '');
    await expectError([1, 2], 400, 'InvalidParameter', '');
  });

  it('requires model and prompt', async () => {
    await expectError({ prompt: 'x' }, 400, 'MissingParameter', 'model');
    await expectError({ model: 42, prompt: 'x' }, 400, 'InvalidParameter', 'model');
    await expectError({ model: MODEL_40 }, 400, 'MissingParameter', 'prompt');
    await expectError({ model: MODEL_40, prompt: '   ' }, 400, 'MissingParameter', 'prompt');
    await expectError({ model: MODEL_40, prompt: 7 }, 400, 'InvalidParameter', 'prompt');
  });

  it('answers 404 InvalidEndpointOrModel.NotFound for an unknown model', async () => {
    await expectError({ ...ok, model: 'dall-e-3' }, 404, 'InvalidEndpointOrModel.NotFound', '', /The model or endpoint dall-e-3 does not exist/);
  });

  it('checks size: form, pixel range per model, aspect ratio', async () => {
    await expectError({ ...ok, size: '1x1' }, 400, 'InvalidParameter', 'size', /minimum is 921600/);
    await expectError({ ...ok, size: '800x800' }, 400, 'InvalidParameter', 'size');
    await expectError({ ...ok, size: '1280X720' }, 400, 'InvalidParameter', 'size');
    await expectError({ ...ok, size: '3K' }, 400, 'InvalidParameter', 'size');
    await expectError({ ...ok, size: 2048 }, 400, 'InvalidParameter', 'size');
    await expectError({ ...ok, size: '4097x4097' }, 400, 'InvalidParameter', 'size');
    await expectError({ ...ok, size: '8000x200' }, 400, 'InvalidParameter', 'size', /aspect ratio/);
    await expectError({ ...ok, model: MODEL_45, size: '1500x1500' }, 400, 'InvalidParameter', 'size');
    await expectError({ ...ok, model: MODEL_45, size: '1K' }, 400, 'InvalidParameter', 'size');
    await expectError({ ...ok, model: MODEL_PRO, size: '512x512' }, 400, 'InvalidParameter', 'size');
    await expectError({ ...ok, model: MODEL_PRO, size: '4K' }, 400, 'InvalidParameter', 'size');
  });

  it('checks the reference images: type, count, data URI form, decodability, side length', async () => {
    await expectError({ ...ok, image: 5 }, 400, 'InvalidParameter', 'image');
    await expectError({ ...ok, image: [] }, 400, 'InvalidParameter', 'image');
    await expectError({ ...ok, image: Array(15).fill(png) }, 400, 'InvalidParameter', 'image', /cannot exceed 14/);
    await expectError({ ...ok, model: MODEL_PRO, size: '1K', image: Array(11).fill(png) }, 400, 'InvalidParameter', 'image', /cannot exceed 10/);
    await expectError({ ...ok, image: png.replace('image/png', 'image/PNG') }, 400, 'InvalidParameter', 'image', /lower case/);
    await expectError({ ...ok, image: 'ftp://example.com/a.png' }, 400, 'InvalidParameter', 'image');
    await expectError({ ...ok, image: 'data:image/png;base64,bm90IGFuIGltYWdl' }, 400, 'InvalidParameter', 'image', /decoded/);
    const tiny = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    await expectError({ ...ok, image: `data:image/png;base64,${tiny.toString('base64')}` }, 400, 'InvalidParameter', 'image', /greater than 14/);
  });

  it('checks enums and booleans', async () => {
    await expectError({ ...ok, sequential_image_generation: 'on' }, 400, 'InvalidParameter', 'sequential_image_generation');
    await expectError(
      { ...ok, sequential_image_generation_options: { max_images: 16 } },
      400,
      'InvalidParameter',
      'sequential_image_generation_options.max_images',
    );
    await expectError(
      { ...ok, sequential_image_generation_options: { max_images: 0 } },
      400,
      'InvalidParameter',
      'sequential_image_generation_options.max_images',
    );
    await expectError({ ...ok, stream: 'yes' }, 400, 'InvalidParameter', 'stream');
    await expectError({ ...ok, response_format: 'png' }, 400, 'InvalidParameter', 'response_format');
    await expectError({ ...ok, watermark: 'false' }, 400, 'InvalidParameter', 'watermark');
    await expectError({ ...ok, model: MODEL_LITE, size: '2K', output_format: 'webp' }, 400, 'InvalidParameter', 'output_format', /must be one of: jpeg, png/);
  });

  it('rejects features the model does not have, naming the field', async () => {
    await expectError({ ...ok, model: MODEL_PRO, size: '1K', stream: true }, 400, 'InvalidParameter', 'stream', /not supported by the current model/);
    await expectError({ ...ok, model: MODEL_PRO, size: '1K', sequential_image_generation: 'auto' }, 400, 'InvalidParameter', 'sequential_image_generation');
    await expectError({ ...ok, tools: [{ type: 'web_search' }] }, 400, 'InvalidParameter', 'tools');
    await expectError({ ...ok, model: MODEL_LITE, size: '2K', tools: [{ type: 'calculator' }] }, 400, 'InvalidParameter', 'tools');
    await expectError(
      { ...ok, model: MODEL_LITE, size: '2K', optimize_prompt_options: { mode: 'fast' } },
      400,
      'InvalidParameter',
      'optimize_prompt_options.mode',
      /must be 'standard'/,
    );
    await expectError({ ...ok, optimize_prompt_options: { mode: 'turbo' } }, 400, 'InvalidParameter', 'optimize_prompt_options.mode');
    await expectError({ ...ok, layer_decomposition: true }, 400, 'InvalidParameter', 'layer_decomposition');
    await expectError({ ...ok, model: MODEL_PRO, size: '1K', layer_decomposition: true }, 400, 'InvalidParameter', 'image');
    await expectError({ ...ok, background: 'transparent' }, 400, 'InvalidParameter', 'background');
    await expectError(
      { ...ok, model: MODEL_PRO, size: '1K', image: png, background: 'transparent', output_format: 'jpeg' },
      400,
      'InvalidParameter',
      'output_format',
    );
  });

  it('reports only the first failing field', async () => {
    const json = await expectError({ model: MODEL_40, prompt: 'x', size: '1x1', response_format: 'bad', watermark: 'no' }, 400, 'InvalidParameter', 'size');
    expect(json.error.message).not.toMatch(/response_format|watermark/);
  });

  it('accepts the features a model has', async () => {
    const bodies = [
      { ...ok, model: MODEL_LITE, size: '2K', tools: [{ type: 'web_search' }], optimize_prompt_options: { mode: 'standard' }, output_format: 'png' },
      { ...ok, optimize_prompt_options: { mode: 'fast' }, image: png },
      { ...ok, model: MODEL_PRO, size: '1K', optimize_prompt_options: { mode: 'fast' }, output_format: 'png' },
      { ...ok, model: 'seedream-4-0-250828' },
      { ...ok, model: 'ep-20250101-abcde' },
    ];
    for (const body of bodies) {
      const response = await generate(emulator, body);
      expect(response.status, JSON.stringify(body).slice(0, 120)).toBe(200);
    }
  });

  it('accepts and ignores seed / guidance_scale on 4.x by default', async () => {
    const response = await generate(emulator, { ...ok, seed: 12, guidance_scale: 99 });
    expect(response.status).toBe(200);
  });
});

describe('rejectUnsupportedParams', () => {
  it('answers 400 naming seed, guidance_scale or output_format on models that do not support them', () =>
    withEmulator({ rejectUnsupportedParams: true }, async (strict) => {
      for (const [field, value] of [
        ['seed', 1],
        ['guidance_scale', 5],
        ['output_format', 'png'],
      ] as const) {
        const response = await generate(strict, { ...ok, [field]: value });
        const json = (await response.json()) as any;
        expect(response.status, field).toBe(400);
        expect(json.error).toMatchObject({ code: 'InvalidParameter', param: field });
      }
    }));
});

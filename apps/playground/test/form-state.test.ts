/** The form's translation to request params and of the kit's errors back to fields: pure functions, no browser. */
import { CLIENT_ERROR_KINDS } from '@seedream-kit/react';
import { describe, expect, test } from 'vitest';
import type { ModelInfo } from '../src/api/models.ts';
import { adaptToModel, fieldForPath, initialFormState, maxImagesLimit, toParams } from '../src/form/form-state.ts';
import { describeError } from '../src/results/describe-error.ts';

const streaming: ModelInfo = {
  id: 'doubao-seedream-4-0-250828',
  label: 'Seedream 4.0',
  sizePresets: ['1K', '2K', '4K'],
  maxReferenceImages: 14,
  sequential: true,
  maxImages: 15,
  streaming: true,
  outputFormats: [],
  seed: false,
  guidance: false,
};
const legacy: ModelInfo = {
  ...streaming,
  id: 'doubao-seedream-3-0-t2i-250415',
  sizePresets: [],
  maxReferenceImages: 0,
  sequential: false,
  streaming: false,
  seed: true,
  guidance: true,
};

function file(name: string): File {
  return new File([new Uint8Array([137, 80, 78, 71])], name, { type: 'image/png' });
}

describe('toParams', () => {
  test('a series with references on a streaming model', () => {
    const form = {
      ...initialFormState(streaming),
      prompt: 'a series of 3 kites',
      sequential: true,
      maxImages: 3,
      references: [{ id: 'a', file: file('a.png'), previewUrl: 'blob:a' }],
      seed: '42',
    };
    const params = toParams(form, streaming);
    expect(params).toMatchObject({
      model: streaming.id,
      prompt: 'a series of 3 kites',
      size: '1K',
      stream: true,
      sequential_image_generation: 'auto',
      sequential_image_generation_options: { max_images: 3 },
      response_format: 'url',
      watermark: false,
    });
    expect(params.image).toEqual([form.references[0]!.file]);
    expect(params).not.toHaveProperty('seed'); // the model does not take one
    expect(params).not.toHaveProperty('output_format'); // 4.x always answers JPEG
  });

  test('an exact size, seed and guidance on a model that takes them; nothing it does not support', () => {
    const form = { ...adaptToModel(initialFormState(streaming), legacy), width: ' 1024', height: '768 ', seed: '7', guidance: '5.5' };
    expect(form.sizeMode).toBe('exact');
    const params = toParams(form, legacy);
    expect(params).toMatchObject({ size: '1024x768', seed: 7, guidance_scale: 5.5 });
    for (const absent of ['stream', 'sequential_image_generation', 'image']) expect(params).not.toHaveProperty(absent);
  });
});

test('switching model keeps only what the new model allows', () => {
  const refs = Array.from({ length: 12 }, (_, i) => ({ id: String(i), file: file(`${i}.png`), previewUrl: `blob:${i}` }));
  const form = { ...initialFormState(streaming), references: refs, sequential: true, preset: '4K' };
  const pro: ModelInfo = {
    ...streaming,
    id: 'pro',
    sizePresets: ['1K', '1.5K', '2K'],
    maxReferenceImages: 10,
    sequential: false,
    outputFormats: ['png', 'jpeg'],
  };
  const adapted = adaptToModel(form, pro);
  expect(adapted.references).toHaveLength(10);
  expect(adapted.sequential).toBe(false);
  expect(adapted.preset).toBe('1K');
  expect(maxImagesLimit({ ...form, references: refs.slice(0, 12) }, streaming)).toBe(3); // 15 in all, references included
});

test('validation paths map to the fields that show them', () => {
  expect(fieldForPath('size')).toBe('size');
  expect(fieldForPath('image[2]')).toBe('references');
  expect(fieldForPath('sequential_image_generation_options.max_images')).toBe('maxImages');
  expect(fieldForPath('input.guidanceScale')).toBe('guidance');
  expect(fieldForPath('tools')).toBeUndefined();
});

describe('describeError', () => {
  test('a validation error puts each message next to its field', () => {
    const description = describeError({
      kind: 'validation',
      message: 'Invalid request',
      fields: [
        { path: 'size', message: 'too small' },
        { path: 'tools', message: 'not supported' },
      ],
    });
    expect(description.fields).toEqual({ size: 'too small' });
    expect(description.detail).toContain('tools: not supported');
  });

  test('a rate limit says when to retry', () => {
    expect(describeError({ kind: 'rate_limit', message: 'slow down', retryAfter: 42 }).detail).toBe('Try again in 42 seconds.');
    expect(describeError({ kind: 'rate_limit', message: 'slow down', retryAfter: 1 }).detail).toBe('Try again in 1 second.');
    expect(describeError({ kind: 'rate_limit', message: 'slow down' }).detail).toMatch(/wait/i);
  });

  test('every error kind has its own title', () => {
    const kinds = Object.keys(CLIENT_ERROR_KINDS);
    const titles = new Set(kinds.map((kind) => describeError({ kind, message: 'x' }).title));
    expect(titles.size).toBe(kinds.length);
    expect(describeError(new Error('boom')).title).toBe('Something went wrong');
  });
});

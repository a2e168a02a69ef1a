/**
 * `GenerateImagesInput` comes from core's parameter table: the SDL (type-defs.ts) prints it and its enums from
 * `GRAPHQL_INPUT_FIELDS`, the TypeScript type is mapped from `PARAMETERS`, and `toGenerateParams`, `toInputPath`
 * and the browser transport's `toInput` map each field by its codec. The adapters as a whole are held to the
 * table by reliability/test/parameter-table.test.ts.
 */
import { buildSchema, isEnumType, type GraphQLInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GRAPHQL_INPUT_FIELDS } from '@seedream-kit/core/server';
import { toGenerateParams, toInputPath, typeDefs, type GenerateImagesInput } from '../src/index.js';
import { toInput } from '../src/transport.js';

// ── Compile time: the mapped type, one field per codec ───────────────────────────────────────────────────────

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Field<K extends keyof GenerateImagesInput> = GenerateImagesInput[K];
const codecs: [
  Equal<Field<'prompt'>, string>, // value, required
  Equal<Field<'model'>, string | null | undefined>, // value
  Equal<Field<'seed'>, number | null | undefined>, // value (integer)
  Equal<Field<'guidanceScale'>, number | null | undefined>, // value (number)
  Equal<Field<'watermark'>, boolean | null | undefined>, // value (boolean)
  Equal<Field<'images'>, string[] | null | undefined>, // list
  Equal<Field<'sequential'>, boolean | null | undefined>, // flag
  Equal<Field<'maxImages'>, number | null | undefined>, // value, nested
  Equal<Field<'responseFormat'>, 'URL' | 'B64_JSON' | null | undefined>, // enum
  Equal<Field<'optimizePromptMode'>, 'STANDARD' | 'FAST' | null | undefined>, // enum, nested
  Equal<Field<'webSearch'>, boolean | null | undefined>, // webSearch
] = [true, true, true, true, true, true, true, true, true, true, true];
/** `stream` is the choice of operation, no input field; nothing else outside the table either. */
const noStream: 'stream' extends keyof GenerateImagesInput ? false : true = true;

describe('GenerateImagesInput', () => {
  const schema = buildSchema(typeDefs);
  const input = schema.getType('GenerateImagesInput') as GraphQLInputObjectType;

  it('the TypeScript type follows the table (checked by tsc)', () => {
    expect([...codecs, noStream].every(Boolean)).toBe(true);
  });

  it('the SDL has the table’s fields in its order, with their types, descriptions and enums', () => {
    const fields = Object.values(input.getFields());
    expect(fields.map((field) => [field.name, String(field.type), field.description])).toEqual(
      GRAPHQL_INPUT_FIELDS.map((spec) => [spec.field, spec.type, spec.description]),
    );
    for (const spec of GRAPHQL_INPUT_FIELDS.filter((field) => field.enum)) {
      const type = schema.getType(spec.enum!.name);
      expect(isEnumType(type), spec.enum!.name).toBe(true);
      if (!isEnumType(type)) continue;
      expect(type.description).toBe(spec.enum!.description);
      expect(type.getValues().map((value) => [value.name, value.description ?? undefined])).toEqual(
        spec.enum!.values.map((value) => [value.name, value.description]),
      );
    }
  });
});

describe('the codecs, both ways', () => {
  const wire = {
    model: 'doubao-seedream-5-0-260128',
    prompt: 'p',
    image: ['https://example.com/a.png', 'https://example.com/b.png'],
    size: '2K',
    sequential_image_generation: 'auto',
    sequential_image_generation_options: { max_images: 3 },
    seed: 7,
    guidance_scale: 5.5,
    watermark: false,
    response_format: 'b64_json',
    output_format: 'png',
    optimize_prompt_options: { mode: 'fast' },
    tools: [{ type: 'web_search' }],
    layer_decomposition: true,
    background: 'transparent',
  } as const;
  const graphql = {
    prompt: 'p',
    model: 'doubao-seedream-5-0-260128',
    images: ['https://example.com/a.png', 'https://example.com/b.png'],
    size: '2K',
    sequential: true,
    maxImages: 3,
    seed: 7,
    guidanceScale: 5.5,
    watermark: false,
    responseFormat: 'B64_JSON',
    outputFormat: 'PNG',
    optimizePromptMode: 'FAST',
    webSearch: true,
    layerDecomposition: true,
    background: 'TRANSPARENT',
  } satisfies GenerateImagesInput;

  it('toInput (browser) turns wire params into the input, in its order; `stream` and unknown fields stay out', async () => {
    const input = await toInput({ ...wire, stream: true, unknown: 1 } as never);
    expect(input).toEqual(graphql);
    expect(Object.keys(input)).toEqual(Object.keys(graphql));
  });

  it('toGenerateParams turns the input back into the same wire params', () => {
    expect(toGenerateParams(graphql, 'default')).toEqual(wire);
    expect(toGenerateParams({ prompt: 'p', images: ['one'], sequential: false, webSearch: false }, 'default')).toEqual({
      model: 'default',
      prompt: 'p',
      image: 'one',
      sequential_image_generation: 'disabled',
    });
  });

  it('toInputPath names wire paths by their input field; a list keeps its index; `stream` is the input as a whole', () => {
    expect(
      [
        '',
        'prompt',
        'image',
        'image[2]',
        'sequential_image_generation',
        'sequential_image_generation_options',
        'sequential_image_generation_options.max_images',
        'optimize_prompt_options.mode',
        'tools[0].type',
        'guidance_scale',
        'stream',
        'not_a_parameter.x',
      ].map(toInputPath),
    ).toEqual([
      'input',
      'prompt',
      'images',
      'images[2]',
      'sequential',
      'maxImages',
      'maxImages',
      'optimizePromptMode',
      'webSearch',
      'guidanceScale',
      'input',
      'not_a_parameter.x',
    ]);
  });
});

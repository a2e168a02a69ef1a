import { buildSchema, graphql, isEnumType, isInputObjectType, isInterfaceType, isObjectType, validate, parse, specifiedRules } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedream, models } from '@seedream-kit/core';
import { createResolvers, createSeedreamSchema, mocks, seedreamValidationRules, typeDefs } from '../src/index.js';
import { startStack } from './helpers.js';
import type { Stack } from './helpers.js';

const client = createSeedream({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9/v1' });

describe('typeDefs', () => {
  const schema = buildSchema(typeDefs);
  const own = Object.values(schema.getTypeMap()).filter(
    (type) => !type.name.startsWith('__') && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name),
  );

  it('follows GraphQL conventions and documents every type and field', () => {
    expect(own.length).toBeGreaterThan(10);
    for (const type of own) {
      if (!['Query', 'Mutation', 'Subscription'].includes(type.name)) expect(type.description, type.name).toBeTruthy();
      if (isEnumType(type)) for (const value of type.getValues()) expect(value.name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      if (isObjectType(type) || isInputObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          expect(field.name).toMatch(/^[a-z][a-zA-Z0-9]*$/);
          expect(field.description, `${type.name}.${field.name}`).toBeTruthy();
        }
      }
    }
  });

  it('has its root fields and an input covering every core parameter', () => {
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(['seedreamModels', 'generationJob']);
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(['generateImages', 'cancelGeneration']);
    expect(Object.keys(schema.getSubscriptionType()!.getFields())).toEqual(['imageGeneration', 'resumeGeneration']);
    const input = schema.getType('GenerateImagesInput');
    if (!isInputObjectType(input)) throw new Error('no input');
    expect(Object.keys(input.getFields()).sort()).toEqual(
      [
        'background',
        'guidanceScale',
        'images',
        'layerDecomposition',
        'maxImages',
        'model',
        'optimizePromptMode',
        'outputFormat',
        'prompt',
        'responseFormat',
        'seed',
        'sequential',
        'size',
        'watermark',
        'webSearch',
      ].sort(),
    );
  });
});

describe('createResolvers', () => {
  it('refuses to be created without a policy (fails closed)', () => {
    expect(() => createResolvers({ client } as never)).toThrow(/policy/);
    expect(() => createSeedreamSchema({ client, policy: {} } as never)).toThrow(/policy/);
    expect(() => createResolvers({ policy: { authorize: () => true } } as never)).toThrow(/client/);
    expect(() => createResolvers({ client, policy: { authorize: () => true }, limits: { maxGenerationsPerOperation: -1 } })).toThrow(RangeError);
  });

  it('works in plain graphql-js (Apollo-style usage): models query with the validation rules', async () => {
    const schema = createSeedreamSchema({ client, policy: { authorize: () => false } });
    const source = '{ seedreamModels { id name maxReferenceImages sizePresets sequential streaming outputFormats minPixels maxPixels } }';
    expect(validate(schema, parse(source), [...specifiedRules, ...seedreamValidationRules()])).toEqual([]);
    const result = await graphql({ schema, source, contextValue: {} });
    expect(result.errors).toBeUndefined();
    expect((result.data as any).seedreamModels).toHaveLength(models.length);
  });

  it('refuses a generation in plain graphql-js when authorize says no, before any request', async () => {
    let fetched = 0;
    const counting = createSeedream({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9/v1', fetch: async () => (fetched++, new Response('{}')) });
    const schema = createSeedreamSchema({
      client: counting,
      policy: { authorize: async () => false },
      getRequest: () => new Request('http://app.test/graphql', { method: 'POST' }),
    });
    const result = await graphql({ schema, source: 'mutation { generateImages(input: { prompt: "x" }) { model } }', contextValue: {} });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(fetched).toBe(0);
  });
});

describe('the run-time budget (no validation rule, plain graphql-js)', () => {
  it('counts per context object: a reused context cannot buy a second generation; variables cannot raise images', async () => {
    const bodies: unknown[] = [];
    const fake = createSeedream({
      apiKey: 'unused',
      baseURL: 'http://127.0.0.1:9/v1',
      fetch: async (_url, init) => {
        bodies.push(JSON.parse(String(init?.body)));
        return new Response(JSON.stringify({ model: 'doubao-seedream-4-5-251128', created: 1, data: [{ url: 'https://x.test/a.jpeg', size: '2048x2048' }] }), {
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    const schema = createSeedreamSchema({
      client: fake,
      policy: { authorize: () => true, budget: false, limits: { maxImagesPerRequest: 15 } },
      limits: { maxImagesPerOperation: 3 },
      getRequest: () => new Request('http://app.test/graphql', { method: 'POST' }),
    });
    const source = 'mutation ($input: GenerateImagesInput!) { generateImages(input: $input) { images { url } } }';
    const shared = {};
    const first = await graphql({ schema, source, contextValue: shared, variableValues: { input: { prompt: 'x' } } });
    expect(first.errors).toBeUndefined();
    const second = await graphql({ schema, source, contextValue: shared, variableValues: { input: { prompt: 'x' } } });
    expect(second.errors?.[0]?.extensions?.code).toBe('OPERATION_LIMIT_EXCEEDED');
    const fresh = await graphql({ schema, source, contextValue: {}, variableValues: { input: { prompt: 'x', sequential: true, maxImages: 5 } } });
    expect(fresh.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', field: 'maxImages' });
    expect(bodies).toHaveLength(1);
  });
});

describe('seedreamValidationRules in plain graphql-js', () => {
  it('refuses alias abuse and hostile depth before execution', () => {
    const schema = createSeedreamSchema({ client, policy: { authorize: () => true } });
    const rules = [...specifiedRules, ...seedreamValidationRules({ limits: { maxGenerationsPerOperation: 2 } })];
    const two = 'mutation { a: generateImages(input: { prompt: "x" }) { model } b: generateImages(input: { prompt: "y" }) { model } }';
    expect(validate(schema, parse(two), rules)).toEqual([]);
    const three = two.replace('} }', '} c: generateImages(input: { prompt: "z" }) { model } }');
    const errors = validate(schema, parse(three), rules);
    expect(errors.map((e) => e.extensions.code)).toEqual(['OPERATION_LIMIT_EXCEEDED']);
    const deep = `{ __schema { types { fields { type { ${'ofType { '.repeat(12)}name${' }'.repeat(12)} } } } } }`;
    expect(validate(schema, parse(deep), rules).map((e) => e.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);
  });
});

describe('mocks', () => {
  it('produce values that conform to the schema', async () => {
    const schema = buildSchema(typeDefs);
    const result = await graphql({
      schema,
      source: `{ seedreamModels { id name family aliases maxReferenceImages requiresReferenceImage sizePresets defaultSize minPixels maxPixels sequential streaming outputFormats maxImages supportsSeed supportsGuidance optimizePromptModes supportsWebSearch supportsLayerDecomposition supportsBackground } }`,
      rootValue: { seedreamModels: () => [mocks.SeedreamModel()] },
    });
    expect(result.errors).toBeUndefined();
    const mutation = await graphql({
      schema,
      source:
        'mutation { generateImages(input: { prompt: "x" }) { images { index url size width height outputFormat } usage { generatedImages } model created requestId } }',
      rootValue: { generateImages: () => ({ ...mocks.GenerateImagesResult(), images: [mocks.SeedreamImage()], usage: mocks.SeedreamUsage() }) },
    });
    expect(mutation.errors).toBeUndefined();
    expect((mutation.data as any).generateImages.images[0].url).toMatch(/^data:image\/png;base64,/);
  });
});

describe('Query.seedreamModels', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('answers every capability from core’s table', async () => {
    const { body } = await stack.gql(
      '{ seedreamModels { id name family aliases maxReferenceImages requiresReferenceImage sizePresets defaultSize minPixels maxPixels sequential streaming outputFormats maxImages supportsSeed supportsGuidance optimizePromptModes supportsWebSearch supportsLayerDecomposition supportsBackground } }',
    );
    expect(body.errors).toBeUndefined();
    const list = body.data.seedreamModels;
    expect(list.map((m: any) => m.id)).toEqual(models.map((m) => m.id));
    const v45 = list.find((m: any) => m.id === 'doubao-seedream-4-5-251128');
    expect(v45).toMatchObject({
      name: 'Seedream 4.5',
      maxReferenceImages: 14,
      sizePresets: ['2K', '4K'],
      sequential: true,
      streaming: true,
      outputFormats: [],
      minPixels: 3_686_400,
      maxPixels: 16_777_216,
      maxImages: 15,
      optimizePromptModes: ['STANDARD'],
    });
    const pro = list.find((m: any) => m.id === 'doubao-seedream-5-0-pro-260628');
    expect(pro).toMatchObject({
      streaming: false,
      sequential: false,
      outputFormats: ['PNG', 'JPEG'],
      maxImages: 1,
      supportsBackground: true,
      supportsLayerDecomposition: true,
      optimizePromptModes: ['STANDARD', 'FAST'],
    });
    const t2i = list.find((m: any) => m.id === 'doubao-seedream-3-0-t2i-250415');
    expect(t2i).toMatchObject({ maxReferenceImages: 0, supportsSeed: true, supportsGuidance: true });
    expect(stack.emulator.log.entries).toHaveLength(0);
  });

  it('lists only the allowed models when an allow-list is given', async () => {
    const schema = createSeedreamSchema({ client, policy: { authorize: () => true, models: ['doubao-seedream-4.0', 'doubao-seedream-5-0-260128'] } });
    const result = await graphql({ schema, source: '{ seedreamModels { id } }', contextValue: {} });
    expect((result.data as any).seedreamModels.map((m: any) => m.id)).toEqual(['doubao-seedream-4-0-250828', 'doubao-seedream-5-0-260128']);
  });
});

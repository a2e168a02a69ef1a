import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Plugin } from 'graphql-yoga';
import { SIZE, startStack } from './helpers.js';
import type { Stack } from './helpers.js';

const ONE = 'generateImages(input: { prompt: "a boat", size: "1024x1024" }) { model }';

describe('cost safety', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ yoga: { limits: { maxImagesPerOperation: 4 } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.log.clear());

  it('one generation per operation passes', async () => {
    const { body } = await stack.gql(`mutation { ${ONE} }`);
    expect(body.errors).toBeUndefined();
    expect(stack.emulator.log.generations()).toHaveLength(1);
  });

  it.each([
    ['aliases', `mutation { a: ${ONE} b: ${ONE} c: ${ONE} }`],
    ['fragments', `mutation { ...F ...G } fragment F on Mutation { ${ONE} } fragment G on Mutation { again: ${ONE} }`],
    ['inline fragments', `mutation { ... on Mutation { ${ONE} } ... { x: ${ONE} } }`],
    ['skipped duplicates (counted anyway)', `mutation { ${ONE} x: generateImages(input: { prompt: "b" }) @skip(if: true) { model } }`],
  ])('refuses several paid fields in one operation (%s) before any upstream request', async (_name, query) => {
    const { body, status } = await stack.gql(query);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(status).toBe(400);
    expect(stack.emulator.log.entries).toHaveLength(0);
  });

  it('refuses a batched request (batching is off by default) without any upstream request', async () => {
    const response = await stack.yoga.fetch('http://yoga.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify([{ query: `mutation { ${ONE} }` }, { query: `mutation { ${ONE} }` }]),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(stack.emulator.log.entries).toHaveLength(0);
  });

  it('with batching turned on, the operations of one HTTP request share one budget', async () => {
    const batched = await startStack({ yoga: { yoga: { batching: { limit: 5 } } } });
    try {
      const response = await batched.yoga.fetch('http://yoga.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify(Array.from({ length: 4 }, () => ({ query: `mutation { ${ONE} }` }))),
      });
      const results = (await response.json()) as any[];
      expect(results).toHaveLength(4);
      expect(results.filter((r) => r.data?.generateImages)).toHaveLength(1);
      expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'OPERATION_LIMIT_EXCEEDED')).toHaveLength(3);
      expect(batched.emulator.log.generations()).toHaveLength(1);
      // A second HTTP request has its own budget.
      const again = await batched.gql(`mutation { ${ONE} }`);
      expect(again.body.errors).toBeUndefined();
    } finally {
      await batched.close();
    }
  });

  it('refuses more images than the per-operation image limit, and caps a group without maxImages', async () => {
    const refused = await stack.gql('mutation ($input: GenerateImagesInput!) { generateImages(input: $input) { model } }', {
      input: { prompt: 'a series of 9 images', size: SIZE, sequential: true, maxImages: 9 },
    });
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', field: 'maxImages', limit: 4 });
    expect(stack.emulator.log.entries).toHaveLength(0);

    const capped = await stack.gql('mutation ($input: GenerateImagesInput!) { generateImages(input: $input) { images { index } } }', {
      input: { prompt: 'a series of 9 images', size: SIZE, sequential: true },
    });
    expect(capped.body.errors).toBeUndefined();
    expect(stack.emulator.log.generations()[0]!.body).toMatchObject({ sequential_image_generation_options: { max_images: 4 } });
    expect(capped.body.data.generateImages.images).toHaveLength(4);
  });

  it('refuses reference images and prompts above the configured limits', async () => {
    const strict = await startStack({ yoga: { policy: { limits: { maxReferenceImages: 1, maxPromptLength: 20 } } } });
    try {
      const images = await strict.gql('mutation ($input: GenerateImagesInput!) { generateImages(input: $input) { model } }', {
        input: { prompt: 'a boat', images: ['https://example.com/a.png', 'https://example.com/b.png'] },
      });
      expect(images.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'images' });
      const prompt = await strict.gql('mutation ($input: GenerateImagesInput!) { generateImages(input: $input) { model } }', {
        input: { prompt: 'a'.repeat(21) },
      });
      expect(prompt.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'prompt' });
      expect(strict.emulator.log.entries).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });

  it('refuses models outside the allow-list', async () => {
    const only = await startStack({ yoga: { policy: { models: ['doubao-seedream-4-0-250828'] } } });
    try {
      const { body } = await only.gql('mutation { generateImages(input: { prompt: "x", model: "doubao-seedream-4-5-251128" }) { model } }');
      expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'model' });
      expect(only.emulator.log.entries).toHaveLength(0);
    } finally {
      await only.close();
    }
  });

  it('refuses hostile documents: too deep, too many aliases, too many tokens', async () => {
    const deep = await stack.gql(
      '{ a: __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }',
    );
    expect(deep.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const aliases = await stack.gql(`{ ${Array.from({ length: 40 }, (_, i) => `m${i}: seedreamModels { id }`).join(' ')} }`);
    expect(aliases.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const tokens = await stack.gql(`{ seedreamModels { ${'id '.repeat(3000)} } }`);
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors[0].message).toMatch(/token/i);
    const fine = await stack.gql('{ seedreamModels { id } }');
    expect(fine.body.errors).toBeUndefined();
  });
});

describe('parse cache', () => {
  it('yoga’s document cache still answers repeated documents although useSeedreamLimits sets its own parse function', async () => {
    let parses = 0;
    const counting: Plugin = {
      onParse({ parseFn, setParseFn }) {
        setParseFn((source, options) => {
          parses++;
          return parseFn(source, options);
        });
      },
    };
    const stack = await startStack({ yoga: { yoga: { plugins: [counting] } } });
    try {
      for (let i = 0; i < 3; i++) expect((await stack.gql('{ seedreamModels { id } }')).body.errors).toBeUndefined();
      expect(parses).toBe(1);
      // maxTokens still applies to a new document.
      const { body } = await stack.gql(`{ seedreamModels { ${'id '.repeat(2500)} } }`);
      expect(body.errors[0].message).toMatch(/token/i);
      expect(parses).toBe(2);
    } finally {
      await stack.close();
    }
  });
});

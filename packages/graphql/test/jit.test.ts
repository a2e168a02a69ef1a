/**
 * The compiled form (graphql-jit) answers exactly as graphql-js does: the same table of operations through a
 * server that compiles every document and one that never does. And a document is compiled only once it has run
 * `after` times, never when it is a subscription or holds several operations.
 */
import { createSeedream } from '@seedream-kit/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSeedreamJit } from '../src/jit.js';
import { createSeedreamSchema } from '../src/schema.js';
import { FAKE_KEY, IMAGE_FIELDS, JOB, MODEL, MUTATION, SIZE, type Stack, startStack } from './helpers.js';

const MODELS = '{ seedreamModels { id name family aliases sizePresets defaultSize minPixels maxPixels outputFormats maxImages optimizePromptModes } }';

/** [what, faults on the emulator, document, variables, a part of the answer that shows the case happened] */
const OPERATIONS: Array<[string, string | undefined, string, Record<string, unknown>, string]> = [
  ['one image as a URL', undefined, MUTATION, { input: { prompt: 'a boat', size: SIZE } }, '"url":"http'],
  ['one image as b64Json', undefined, MUTATION, { input: { prompt: 'a boat', size: SIZE, responseFormat: 'B64_JSON' } }, '"b64Json":"/9j/'],
  ['a group of three', undefined, MUTATION, { input: { prompt: 'a series of 3 images', size: SIZE, sequential: true, maxImages: 3 } }, '"index":2'],
  [
    'a group with a failed image',
    'fail-image=1',
    MUTATION,
    { input: { prompt: 'a series of 3 images', size: SIZE, sequential: true, maxImages: 3 } },
    'OutputImageSensitiveContentDetected',
  ],
  ['an upstream 500', 'status=500', MUTATION, { input: { prompt: 'a boat', size: SIZE } }, 'UPSTREAM_ERROR'],
  ['a moderation refusal', 'status=400,code=InputTextSensitiveContentDetected', MUTATION, { input: { prompt: 'a boat', size: SIZE } }, 'CONTENT_FILTERED'],
  ['a size core refuses', undefined, MUTATION, { input: { prompt: 'a boat', size: '3x3' } }, '"field":"size"'],
  ['a model the policy does not offer', undefined, MUTATION, { input: { prompt: 'a boat', model: 'dall-e-3' } }, '"field":"model"'],
  ['a prompt that is not a string', undefined, MUTATION, { input: { prompt: 42 } }, 'input.prompt'],
  ['a missing required variable', undefined, MUTATION, {}, 'was not provided'],
  ['a seed out of range', undefined, MUTATION, { input: { prompt: 'a boat', seed: 2 ** 40 } }, 'input.seed'],
  ['an unknown job', undefined, JOB, { id: 'job_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, 'NOT_FOUND'],
  [
    'an error located on a later line (\\r\\n and \\n line ends)',
    undefined,
    'query ($id: ID!) {\r\n\n  generationJob(id: $id) { id }\n}',
    { id: 'job_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    '"line":3',
  ],
  ['the model list', undefined, MODELS, {}, '"maxPixels"'],
  [
    'a selection with aliases and a fragment',
    undefined,
    `mutation ($input: GenerateImagesInput!) { a: generateImages(input: $input) { ...R } } fragment R on GenerateImagesResult { images { ${IMAGE_FIELDS} } model }`,
    { input: { prompt: 'a boat', size: SIZE } },
    '"a":{"images"',
  ],
];

/** Values that differ between two runs of the same operation (ids, times, ports), replaced by their kind. */
function stable(text: string): unknown {
  return JSON.parse(
    text
      .replace(/job_[A-Za-z0-9_-]{32}/g, 'job_…')
      .replace(/"created":\d+/g, '"created":0')
      .replace(/"requestId":"[^"]*"/g, '"requestId":"…"')
      .replace(/http:\/\/127\.0\.0\.1:\d+\/[^"]*/g, 'http://emulator/…'),
  );
}

describe('compiled and interpreted operations answer alike', () => {
  let compiled: Stack;
  let interpreted: Stack;
  beforeAll(async () => {
    compiled = await startStack({ yoga: { jit: { after: 0 } } });
    interpreted = await startStack({ yoga: { jit: false } });
  });
  afterAll(async () => {
    await compiled.close();
    await interpreted.close();
  });

  it.each(OPERATIONS)('%s', async (_what, faults, document, variables, shows) => {
    const answers = [];
    for (const stack of [compiled, interpreted]) {
      stack.emulator.setFaults(faults);
      const { status, text } = await stack.gql(document, variables);
      expect(text).toContain(shows);
      answers.push({ status, body: stable(text) });
    }
    expect(answers[0]).toEqual(answers[1]);
  });
});

describe('useSeedreamJit compiles a document only once it is hot', () => {
  const client = createSeedream({ baseURL: 'http://127.0.0.1:9', apiKey: FAKE_KEY, model: MODEL });
  const schema = createSeedreamSchema({ client, policy: { authorize: () => true } });
  /** Runs the plugin's onExecute for `document` and says whether it swapped in the compiled executor. */
  function compiles(plugin: ReturnType<typeof useSeedreamJit>, document: ReturnType<typeof parse>): boolean {
    let swapped = false;
    (plugin.onExecute as (payload: unknown) => void)({
      args: { document, schema, contextValue: {} },
      executeFn: () => undefined,
      setExecuteFn: () => {
        swapped = true;
      },
    });
    return swapped;
  }

  it('after its `after`-th run, and for each document separately', () => {
    const plugin = useSeedreamJit({ after: 3 });
    const hot = parse('mutation { generateImages(input: { prompt: "p" }) { jobId } }');
    const other = parse('{ seedreamModels { id } }');
    expect([1, 2, 3, 4, 5].map(() => compiles(plugin, hot))).toEqual([false, false, false, true, true]);
    expect(compiles(plugin, other)).toBe(false);
  });

  it('never for a subscription or a document holding several operations', () => {
    const plugin = useSeedreamJit({ after: 0 });
    const subscription = parse('subscription { resumeGeneration(jobId: "j") { __typename } }');
    const several = parse('query A { seedreamModels { id } } query B { seedreamModels { name } }');
    expect([compiles(plugin, subscription), compiles(plugin, subscription)]).toEqual([false, false]);
    expect([compiles(plugin, several), compiles(plugin, several)]).toEqual([false, false]);
    expect(compiles(plugin, parse('{ seedreamModels { id } }'))).toBe(true);
  });

  it('refuses an `after` that is not a non-negative integer', () => {
    expect(() => useSeedreamJit({ after: -1 })).toThrow(RangeError);
    expect(() => useSeedreamJit({ after: 1.5 })).toThrow(/after/);
  });
});

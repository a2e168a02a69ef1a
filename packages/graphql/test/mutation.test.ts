import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_KEY, MODEL, MUTATION, SIZE, startStack } from './helpers.js';
import type { Stack } from './helpers.js';

const PNG_1x1 = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGklEQVR42mP4z8BAEmIY1TCqYVTDqIbhqwEAwN8f8TqnG1gAAAAASUVORK5CYII=';

describe('Mutation.generateImages', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.setFaults(undefined);
    stack.emulator.log.clear();
  });

  it('answers every field of one image (url format), in process', async () => {
    const { body, text } = await stack.gql(MUTATION, { input: { prompt: 'a paper boat', size: SIZE, watermark: false } });
    expect(body.errors).toBeUndefined();
    const result = body.data.generateImages;
    expect(result.model).toBe(MODEL);
    expect(result.created).toBeGreaterThan(1_700_000_000);
    expect(result.requestId).toBe(stack.emulator.log.generations()[0]!.requestId);
    expect(result.images).toEqual([
      {
        index: 0,
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/.+X-Tos-Signature=/),
        b64Json: null,
        size: '1024x1024',
        width: 1024,
        height: 1024,
        outputFormat: 'JPEG',
        error: null,
      },
    ]);
    expect(result.usage).toEqual({ generatedImages: 1, outputTokens: 4096, totalTokens: 4096, inputImages: null, webSearches: null });
    // The signed URL is byte-exact: the emulator serves it.
    const image = await fetch(result.images[0].url);
    expect(image.status).toBe(200);
    expect(text).not.toContain(FAKE_KEY);
  });

  it('maps every input field to core’s wire parameter', async () => {
    const input = {
      prompt: 'a series of 2 frames of a kite',
      model: 'doubao-seedream-4-0-250828',
      images: [PNG_1x1],
      size: '2K',
      sequential: true,
      maxImages: 2,
      seed: 42,
      guidanceScale: 5.5,
      watermark: true,
      responseFormat: 'URL',
      optimizePromptMode: 'FAST',
    };
    const { body } = await stack.gql(MUTATION, { input });
    expect(body.errors).toBeUndefined();
    expect(body.data.generateImages.images).toHaveLength(2);
    const sent = stack.emulator.log.generations()[0]!.body as Record<string, unknown>;
    expect(sent).toMatchObject({
      model: 'doubao-seedream-4-0-250828',
      prompt: input.prompt,
      image: expect.stringMatching(/^data:image\/png;base64,/),
      size: '2K',
      sequential_image_generation: 'auto',
      sequential_image_generation_options: { max_images: 2 },
      seed: 42,
      guidance_scale: 5.5,
      watermark: true,
      response_format: 'url',
      optimize_prompt_options: { mode: 'fast' },
    });
    expect(sent.stream).not.toBe(true);
  });

  it('maps the 5.x-only fields (output format, web search, background) too', async () => {
    const { body } = await stack.gql(MUTATION, {
      input: { prompt: 'today’s weather as a poster', model: 'doubao-seedream-5-0-260128', size: '2048x2048', outputFormat: 'PNG', webSearch: true },
    });
    expect(body.errors).toBeUndefined();
    expect(stack.emulator.log.generations()[0]!.body).toMatchObject({ output_format: 'png', tools: [{ type: 'web_search' }] });
    expect(body.data.generateImages.images[0].outputFormat).toBe('PNG');
    expect(body.data.generateImages.usage.webSearches).toBe(1);

    const pro = await stack.gql(MUTATION, {
      input: { prompt: 'a cut-out fox', model: 'doubao-seedream-5-0-pro-260628', size: '1K', background: 'OPAQUE', outputFormat: 'PNG' },
    });
    expect(pro.body.errors).toBeUndefined();
    expect(stack.emulator.log.generations()[1]!.body).toMatchObject({ background: 'opaque', output_format: 'png' });
    expect(pro.body.data.generateImages.images[0].outputFormat).toBe('PNG');
  });

  it('returns base64 only when B64_JSON is asked for and the field is selected', async () => {
    const { body } = await stack.gql(MUTATION, { input: { prompt: 'a small red square', size: SIZE, responseFormat: 'B64_JSON' } });
    expect(body.errors).toBeUndefined();
    const [image] = body.data.generateImages.images;
    expect(image.url).toBeNull();
    const bytes = Buffer.from(image.b64Json, 'base64');
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]); // 4.0 answers JPEG
    expect(stack.emulator.log.generations()[0]!.body).toMatchObject({ response_format: 'b64_json' });

    const light = await stack.gql('mutation ($input: GenerateImagesInput!) { generateImages(input: $input) { images { index size } } }', {
      input: { prompt: 'a small red square', size: SIZE, responseFormat: 'B64_JSON' },
    });
    expect(light.text.length).toBeLessThan(200);
    expect(light.body.data.generateImages.images).toEqual([{ index: 0, size: '1024x1024' }]);
  });

  it('reports a failed slot of a group with its code and our own message', async () => {
    stack.emulator.setFaults('fail-image=1');
    const { body } = await stack.gql(MUTATION, { input: { prompt: 'a series of 3 images of a lake', size: SIZE, sequential: true, maxImages: 3 } });
    expect(body.errors).toBeUndefined();
    const images = body.data.generateImages.images;
    expect(images.map((i: any) => i.index)).toEqual([0, 1, 2]);
    expect(images[1]).toMatchObject({
      url: null,
      error: { code: 'OutputImageSensitiveContentDetected', message: 'The image was withheld by content moderation.' },
    });
    expect(images[0].url).toBeTruthy();
    expect(images[2].url).toBeTruthy();
    expect(body.data.generateImages.usage.generatedImages).toBe(2);
  });

  it('works over a real port too', async () => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: MUTATION, variables: { input: { prompt: 'a paper boat', size: SIZE } } }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.data.generateImages.images[0].width).toBe(1024);
    expect(stack.emulator.log.generations()).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '@seedream-kit/emulator';
import {
  createSeedream,
  DEFAULT_MODEL,
  getModelCapabilities,
  hasValidationErrors,
  isSeedreamValidationError,
  models,
  SeedreamValidationError,
  validateParams,
  type ValidationIssue,
} from '../src/index.js';
import { caught, clientFor, imageBytes, withEmulator } from './helpers.js';

const LITE = 'doubao-seedream-5-0-260128';
const PRO = 'doubao-seedream-5-0-pro-260628';
const V40 = 'doubao-seedream-4-0-250828';
const V45 = 'doubao-seedream-4-5-251128';
const FLASH = 'doubao-seedream-5-0-flash-260915';
const T2I = 'doubao-seedream-3-0-t2i-250415';
const EDIT = 'doubao-seededit-3-0-i2i-250628';

const errors = (issues: ValidationIssue[]) => issues.filter((issue) => issue.severity === 'error');
const errorPaths = (params: unknown, options = {}) => errors(validateParams(params, options)).map((issue) => issue.path);
/** The first bytes of a 64×64 image of each format: enough for core's sniffing and header checks. */
const IMAGE_HEADERS: Record<string, () => Buffer> = {
  png: () => Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), u32be(64), u32be(64), Buffer.from('0806000000', 'hex')]),
  jpeg: () => Buffer.from('ffd8ffe000104a46494600010100000100010000ffc0001108004000400301220002110103110100', 'hex'),
  webp: () => Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8X'), Buffer.alloc(8), Buffer.from([63, 0, 0, 63, 0, 0])]),
  gif: () => Buffer.concat([Buffer.from('GIF89a'), Buffer.from([64, 0, 64, 0])]),
  bmp: () => {
    const b = Buffer.alloc(26);
    b.write('BM');
    b.writeInt32LE(40, 14);
    b.writeInt32LE(64, 18);
    b.writeInt32LE(64, 22);
    return b;
  },
  tiff: () => Buffer.from('II*\0'),
  heic: () => Buffer.concat([u32be(16), Buffer.from('ftypheic'), Buffer.alloc(4)]),
  heif: () => Buffer.concat([u32be(16), Buffer.from('ftypmif1'), Buffer.alloc(4)]),
};
function u32be(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}
/** A data URI declaring `format`, holding a real header of that format (any spelling) padded to `bytes`. */
const dataUri = (format: string, bytes = 40) => {
  const header = IMAGE_HEADERS[format.toLowerCase() === 'jpg' ? 'jpeg' : format.toLowerCase()]?.() ?? Buffer.alloc(0);
  const body = Buffer.concat([header, Buffer.alloc(Math.max(0, bytes - header.length), 7)]);
  return `data:image/${format};base64,${body.toString('base64')}`;
};

describe('the capability table', () => {
  it('holds every model of the spec with its documented limits', () => {
    const byFamily = Object.fromEntries(models.map((model) => [model.family, model]));
    expect(Object.keys(byFamily).sort()).toEqual(['3.0-t2i', '4.0', '4.5', '5.0-flash', '5.0-lite', '5.0-pro', 'seededit-3.0']);
    expect(byFamily['4.0']).toMatchObject({
      sizePresets: ['1K', '2K', '4K'],
      pixelRange: [921600, 16777216],
      maxReferenceImages: 14,
      stream: true,
      sequential: true,
      outputFormat: false,
      optimizePromptModes: ['standard', 'fast'],
    });
    expect(byFamily['4.5']).toMatchObject({ sizePresets: ['2K', '4K'], pixelRange: [3686400, 16777216], optimizePromptModes: ['standard'] });
    expect(byFamily['5.0-lite']).toMatchObject({ sizePresets: ['2K', '3K', '4K'], outputFormat: true, webSearch: true });
    expect(byFamily['5.0-pro']).toMatchObject({
      sizePresets: ['1K', '1.5K', '2K'],
      pixelRange: [921600, 4624220],
      maxReferenceImages: 10,
      stream: false,
      sequential: false,
      layerDecomposition: true,
      background: true,
    });
    expect(byFamily['3.0-t2i']).toMatchObject({ maxReferenceImages: 0, seed: true, guidanceScale: true });
    expect(byFamily['seededit-3.0']).toMatchObject({ requiresReferenceImage: true, sizePresets: ['adaptive'] });
    for (const model of models) expect(model.aspectRange).toEqual([1 / 16, 16]);
  });

  it('finds every spelling, case-insensitively, and gives unknown ids generic limits', () => {
    expect(getModelCapabilities('seedream-4-5-251128').id).toBe(V45);
    expect(getModelCapabilities('dola-seedream-5-0-pro-260628').id).toBe(PRO);
    expect(getModelCapabilities('bytedance-seededit-3.0-i2i').id).toBe(EDIT);
    const unknown = getModelCapabilities('ep-20250101-abcdef');
    expect(unknown).toMatchObject({ id: 'ep-20250101-abcdef', known: false, maxReferenceImages: 14, stream: true });
    expect(DEFAULT_MODEL).toBe(V45);
  });
});

describe('validateParams', () => {
  it('accepts a plain request and the provider examples as written', () => {
    expect(validateParams({ prompt: 'a cat' })).toEqual([]);
    expect(
      validateParams({
        model: V40,
        prompt: 'x',
        size: '2K',
        sequential_image_generation: 'auto',
        sequential_image_generation_options: { max_images: 4 },
        stream: true,
        response_format: 'url',
        watermark: false,
        optimize_prompt_options: { mode: 'fast' },
      }),
    ).toEqual([]);
    expect(validateParams({ model: LITE, prompt: 'x', size: '3750x1250', output_format: 'png', tools: [{ type: 'web_search' }] })).toEqual([]);
    expect(validateParams({ model: PRO, prompt: 'x', size: '2048x1024', image: dataUri('png'), layer_decomposition: false, background: 'opaque' })).toEqual([]);
    expect(validateParams({ model: V40, prompt: 'x', size: '1600x600' })).toEqual([]);
  });

  it('requires a non-empty string prompt (optional only in layer mode)', () => {
    expect(errorPaths({})).toEqual(['prompt']);
    expect(errorPaths({ prompt: '   ' })).toEqual(['prompt']);
    expect(errorPaths({ prompt: 42 })).toEqual(['prompt']);
    expect(errorPaths({ model: PRO, layer_decomposition: true, image: 'https://x.test/a.png', size: 'auto' })).toEqual([]);
  });

  it('caps the prompt (hard limit refuses, soft advice warns; both configurable)', () => {
    expect(errorPaths({ prompt: 'a'.repeat(10_001) })).toEqual(['prompt']);
    expect(errorPaths({ prompt: '😀'.repeat(10_000) })).toEqual([]); // code points, not UTF-16 units
    expect(errorPaths({ prompt: 'a'.repeat(50) }, { promptMaxLength: 40 })).toEqual(['prompt']);
    const advice = validateParams({ prompt: 'a'.repeat(1001) });
    expect(advice).toEqual([expect.objectContaining({ path: 'prompt', severity: 'warning' })]);
    expect(validateParams({ prompt: '猫'.repeat(301) })).toEqual([expect.objectContaining({ path: 'prompt', severity: 'warning' })]);
    expect(validateParams({ prompt: 'a'.repeat(1001) }, { promptAdvice: false })).toEqual([]);
    expect(validateParams({ prompt: 'a'.repeat(1001) }, { promptAdvice: { maxChars: 2000 } })).toEqual([]);
  });

  it('checks size presets per model, exact sizes by pixel range and aspect ratio', () => {
    expect(errorPaths({ model: V45, prompt: 'x', size: '1K' })).toEqual(['size']); // 4.5 has 2K and 4K
    expect(errorPaths({ model: V45, prompt: 'x', size: '2k' })).toEqual([]);
    expect(errorPaths({ model: PRO, prompt: 'x', size: '1.5K' })).toEqual([]);
    expect(errorPaths({ model: PRO, prompt: 'x', size: '4K' })).toEqual(['size']);
    expect(errorPaths({ model: V40, prompt: 'x', size: '800x800' })).toEqual(['size']); // 640000 < 921600
    expect(errorPaths({ model: V45, prompt: 'x', size: '1500x1500' })).toEqual(['size']);
    expect(errorPaths({ model: PRO, prompt: 'x', size: '512x512' })).toEqual(['size']);
    expect(errorPaths({ model: PRO, prompt: 'x', size: '2200x2200' })).toEqual(['size']); // 4.84 MP > 4624220
    expect(errorPaths({ model: V40, prompt: 'x', size: '16384x1000' })).toEqual(['size']); // 16.4 > 16:1
    const both = validateParams({ model: V40, prompt: 'x', size: '20000x1000' }).filter((issue) => issue.path === 'size');
    expect(both).toHaveLength(2); // pixels and aspect, both reported
    expect(errorPaths({ prompt: 'x', size: '2048X2048' })).toEqual(['size']);
    expect(validateParams({ prompt: 'x', size: '2048×2048' })[0]?.message).toMatch(/lower-case ASCII x/);
    expect(errorPaths({ prompt: 'x', size: 'big' })).toEqual(['size']);
    expect(errorPaths({ prompt: 'x', size: 2048 })).toEqual(['size']);
    expect(errorPaths({ model: EDIT, prompt: 'x', size: 'adaptive', image: 'https://x.test/a.png' })).toEqual([]);
    expect(errorPaths({ model: PRO, prompt: 'x', size: 'auto' })).toEqual(['size']); // only in layer mode
  });

  it('checks reference images: kinds, count per model, data URI form, format, byte size', async () => {
    const png = await imageBytes('png');
    expect(errorPaths({ prompt: 'x', image: png })).toEqual([]);
    expect(errorPaths({ prompt: 'x', image: png.buffer.slice(0) })).toEqual([]);
    expect(errorPaths({ prompt: 'x', image: new Blob([png]) })).toEqual([]);
    expect(errorPaths({ prompt: 'x', image: ['https://x.test/a.png', 'http://x.test/b.png', dataUri('png')] })).toEqual([]);
    expect(errorPaths({ prompt: 'x', image: Array(14).fill('https://x.test/a.png') })).toEqual([]);
    expect(errorPaths({ prompt: 'x', image: Array(15).fill('https://x.test/a.png') })).toEqual(['image']);
    expect(errorPaths({ model: PRO, prompt: 'x', image: Array(11).fill('https://x.test/a.png') })).toEqual(['image']);
    expect(errorPaths({ model: T2I, prompt: 'x', image: 'https://x.test/a.png' })).toEqual(['image']);
    expect(errorPaths({ model: EDIT, prompt: 'x' })).toEqual(['image']);
    expect(errorPaths({ prompt: 'x', image: [] })).toEqual(['image']);
    expect(errorPaths({ prompt: 'x', image: ['https://x.test/a.png', 'ftp://x.test/b.png', 'not a url', 7, null] })).toEqual([
      'image[1]',
      'image[2]',
      'image[3]',
      'image[4]',
    ]);
    expect(errorPaths({ prompt: 'x', image: dataUri('PNG') })).toEqual(['image']);
    expect(errorPaths({ prompt: 'x', image: dataUri('jpg') })).toEqual(['image']);
    expect(errorPaths({ prompt: 'x', image: dataUri('svg+xml') })).toEqual(['image']);
    expect(errorPaths({ prompt: 'x', image: [dataUri('png'), 'data:image/png,raw'] })).toEqual(['image[1]']);
    expect(errorPaths({ prompt: 'x', image: 'data:image/png;base64,@@@@' })).toEqual(['image']);
    expect(errorPaths({ model: EDIT, prompt: 'x', image: dataUri('webp') })).toEqual(['image']); // SeedEdit: jpeg, png
    for (const format of ['jpeg', 'png', 'webp', 'bmp', 'tiff', 'gif', 'heic', 'heif']) expect(errorPaths({ prompt: 'x', image: dataUri(format) })).toEqual([]);
    // Byte size: 10 MiB by default, configurable; data URIs are measured without decoding.
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(png);
    expect(errorPaths({ prompt: 'x', image: [png, big] })).toEqual(['image[1]']);
    expect(errorPaths({ prompt: 'x', image: big }, { maxImageBytes: 30 * 1024 * 1024 })).toEqual([]);
    expect(errorPaths({ prompt: 'x', image: dataUri('png', 2000) }, { maxImageBytes: 1000 })).toEqual(['image']);
    expect(errorPaths({ prompt: 'x', image: new Uint8Array([1, 2, 3, 4]) })).toEqual(['image']);
    expect(errorPaths({ prompt: 'x', image: new Uint8Array(0) })).toEqual(['image']);
  });

  it('checks each reference picture: sides over 14 px, aspect ratio, total pixels (bytes, data URIs, Blobs)', async () => {
    const tiny = await imageBytes('png', 10, 10);
    const sliver = await imageBytes('jpeg', 20, 400); // 1:20
    const fine = await imageBytes('webp', 64, 16); // 4:1
    expect(errorPaths({ prompt: 'x', image: [fine, tiny, sliver] })).toEqual(['image[1]', 'image[2]']);
    expect(validateParams({ prompt: 'x', image: tiny })[0]?.message).toMatch(/10x10; each side must be at least 15 px/);
    expect(errorPaths({ prompt: 'x', image: `data:image/png;base64,${Buffer.from(tiny).toString('base64')}` })).toEqual(['image']);
    expect(errorPaths({ prompt: 'x', image: `data:image/jpeg;base64,${Buffer.from(sliver).toString('base64')}` })).toEqual(['image']);
    // A PNG header claiming 7000x6000 (42 MP > 36 MP).
    const huge = new Uint8Array(await imageBytes('png', 16, 16));
    new DataView(huge.buffer).setUint32(16, 7000);
    new DataView(huge.buffer).setUint32(20, 6000);
    expect(validateParams({ prompt: 'x', image: huge })[0]?.message).toMatch(/42000000 pixels/);
    // SeedEdit takes aspect ratios within 1/3..3 only.
    expect(errorPaths({ model: EDIT, prompt: 'x', image: fine })).toEqual(['image']);
    // A Blob is read before sending: the same rules, still before any request.
    const client = createSeedream({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-test-000000' });
    const error = await caught<SeedreamValidationError>(client.generate({ prompt: 'x', image: [new Blob([tiny])] }));
    expect(error.issues).toEqual([expect.objectContaining({ path: 'image[0]', message: expect.stringMatching(/at least 15 px/) })]);
  });

  it('enforces references + max_images ≤ 15 and the max_images range', () => {
    const refs = (n: number) => Array(n).fill('https://x.test/a.png');
    const options = (max: number) => ({ sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: max } });
    expect(errorPaths({ prompt: 'x', image: refs(5), ...options(10) })).toEqual([]);
    expect(errorPaths({ prompt: 'x', image: refs(5), ...options(11) })).toEqual(['sequential_image_generation_options.max_images']);
    expect(errorPaths({ prompt: 'x', image: refs(14), sequential_image_generation: 'auto' })).toEqual([]); // default 15 is capped upstream
    expect(errorPaths({ prompt: 'x', ...options(0) })).toEqual(['sequential_image_generation_options.max_images']);
    expect(errorPaths({ prompt: 'x', ...options(16) })).toEqual(['sequential_image_generation_options.max_images']);
    expect(errorPaths({ prompt: 'x', ...options(2.5) })).toEqual(['sequential_image_generation_options.max_images']);
    expect(errorPaths({ prompt: 'x', sequential_image_generation_options: 4 })).toEqual(['sequential_image_generation_options']);
    expect(validateParams({ prompt: 'x', sequential_image_generation_options: { max_images: 3 } })).toEqual([
      expect.objectContaining({ path: 'sequential_image_generation_options.max_images', severity: 'warning' }),
    ]);
  });

  it('checks seed and guidance_scale ranges; unsupported models warn (or refuse, when asked)', () => {
    expect(errorPaths({ model: T2I, prompt: 'x', seed: -1, guidance_scale: 1 })).toEqual([]);
    expect(errorPaths({ model: T2I, prompt: 'x', seed: 2147483647, guidance_scale: 10 })).toEqual([]);
    expect(errorPaths({ model: T2I, prompt: 'x', seed: -2 })).toEqual(['seed']);
    expect(errorPaths({ model: T2I, prompt: 'x', seed: 2147483648 })).toEqual(['seed']);
    expect(errorPaths({ model: T2I, prompt: 'x', seed: 1.5 })).toEqual(['seed']);
    expect(errorPaths({ model: T2I, prompt: 'x', seed: '7' })).toEqual(['seed']);
    expect(errorPaths({ model: T2I, prompt: 'x', guidance_scale: 0.5 })).toEqual(['guidance_scale']);
    expect(errorPaths({ model: T2I, prompt: 'x', guidance_scale: 10.5 })).toEqual(['guidance_scale']);
    expect(errorPaths({ model: T2I, prompt: 'x', guidance_scale: Number.NaN })).toEqual(['guidance_scale']);
    expect(validateParams({ model: V45, prompt: 'x', seed: 3, guidance_scale: 5 }).map((issue) => [issue.path, issue.severity])).toEqual([
      ['seed', 'warning'],
      ['guidance_scale', 'warning'],
    ]);
    expect(errorPaths({ model: V45, prompt: 'x', seed: 3 }, { seedAndGuidance: 'error' })).toEqual(['seed']);
    expect(validateParams({ model: V45, prompt: 'x', seed: 3 }, { seedAndGuidance: 'allow' })).toEqual([]);
  });

  it('checks enums and booleans', () => {
    expect(errorPaths({ prompt: 'x', response_format: 'base64' })).toEqual(['response_format']);
    expect(errorPaths({ model: LITE, prompt: 'x', output_format: 'webp' })).toEqual(['output_format']);
    expect(errorPaths({ prompt: 'x', sequential_image_generation: 'on' })).toEqual(['sequential_image_generation']);
    expect(errorPaths({ prompt: 'x', watermark: 'false' })).toEqual(['watermark']);
    expect(errorPaths({ prompt: 'x', stream: 1 })).toEqual(['stream']);
    expect(errorPaths({ prompt: 'x', optimize_prompt_options: { mode: 'turbo' } })).toEqual(['optimize_prompt_options.mode']);
    expect(errorPaths({ model: LITE, prompt: 'x', tools: [{ type: 'web_search' }, { type: 'browser' }] })).toEqual(['tools[1].type']);
    expect(errorPaths({ model: PRO, prompt: 'x', background: 'clear' })).toEqual(['background']);
    expect(errorPaths({ model: PRO, prompt: 'x', layer_decomposition: 'yes' })).toEqual(['layer_decomposition']);
    expect(errorPaths({ prompt: 'x', model: '' })).toEqual(['model']);
  });

  it('checks features per model: stream, sequential, output_format, prompt modes, tools, layers, background', () => {
    expect(errorPaths({ model: PRO, prompt: 'x', stream: true })).toEqual(['stream']);
    expect(errorPaths({ model: PRO, prompt: 'x', stream: false })).toEqual([]);
    expect(errorPaths({ model: FLASH, prompt: 'x', stream: true })).toEqual([]);
    expect(errorPaths({ model: PRO, prompt: 'x', sequential_image_generation: 'auto' })).toEqual(['sequential_image_generation']);
    expect(errorPaths({ model: PRO, prompt: 'x', sequential_image_generation: 'disabled' })).toEqual([]);
    expect(errorPaths({ model: V45, prompt: 'x', output_format: 'png' })).toEqual(['output_format']);
    expect(errorPaths({ model: V45, prompt: 'x', optimize_prompt_options: { mode: 'fast' } })).toEqual(['optimize_prompt_options.mode']);
    expect(errorPaths({ model: LITE, prompt: 'x', optimize_prompt_options: { mode: 'fast' } })).toEqual(['optimize_prompt_options.mode']);
    expect(errorPaths({ model: PRO, prompt: 'x', optimize_prompt_options: { mode: 'fast' } })).toEqual([]);
    expect(errorPaths({ model: T2I, prompt: 'x', optimize_prompt_options: { mode: 'standard' } })).toEqual(['optimize_prompt_options']);
    expect(errorPaths({ model: PRO, prompt: 'x', tools: [{ type: 'web_search' }] })).toEqual(['tools']);
    expect(errorPaths({ model: LITE, prompt: 'x', layer_decomposition: true, image: 'https://x.test/a.png' })).toEqual(['layer_decomposition']);
    expect(errorPaths({ model: PRO, prompt: 'x', layer_decomposition: true })).toEqual(['image']);
    expect(errorPaths({ model: PRO, prompt: 'x', layer_decomposition: true, image: 'https://x.test/a.png', size: '2048x1024' })).toEqual(['size']);
    expect(errorPaths({ model: V45, prompt: 'x', background: 'opaque' })).toEqual(['background']);
    expect(
      errorPaths({ model: PRO, prompt: 'x', background: 'transparent', output_format: 'jpeg', image: ['https://x.test/a.png', 'https://x.test/b.png'] }),
    ).toEqual(['image', 'output_format']);
    expect(errorPaths({ model: PRO, prompt: 'x', background: 'transparent', output_format: 'png', image: dataUri('png') })).toEqual([]);
  });

  it('lists every problem at once, each with its path', () => {
    const issues = validateParams({
      model: V45,
      prompt: '',
      size: '1K',
      seed: -5,
      image: ['https://x.test/a.png', 'nope', dataUri('GIF')],
      stream: 'yes',
      sequential_image_generation_options: { max_images: 20 },
      output_format: 'png',
    });
    expect(
      errors(issues)
        .map((issue) => issue.path)
        .sort(),
    ).toEqual(['image[1]', 'image[2]', 'output_format', 'prompt', 'seed', 'sequential_image_generation_options.max_images', 'size', 'stream'].sort());
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(5);
    expect(hasValidationErrors(issues)).toBe(true);
  });

  it('lets unknown fields through, warns about `n`, and applies capability overrides', () => {
    expect(validateParams({ prompt: 'x', some_future_field: { a: 1 } })).toEqual([]);
    expect(validateParams({ prompt: 'x', n: 2 })).toEqual([expect.objectContaining({ path: 'n', severity: 'warning' })]);
    expect(errorPaths({ model: V45, prompt: 'x', output_format: 'png' }, { models: { [V45]: { outputFormat: true } } })).toEqual([]);
    expect(errorPaths({ model: 'my-new-model', prompt: 'x', size: '1K', stream: true })).toEqual([]);
    expect(validateParams(null)).toEqual([expect.objectContaining({ path: '', severity: 'error' })]);
    expect(validateParams([1])).toEqual([expect.objectContaining({ path: '' })]);
  });
});

describe('generate() refuses invalid requests before sending anything', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await withEmulator();
  });
  afterAll(() => emu.close());

  it('throws SeedreamValidationError with every issue, and the emulator log stays empty', async () => {
    const client = clientFor(emu);
    emu.log.clear();
    const error = await caught<SeedreamValidationError>(
      client.generate({ prompt: 'x', size: '1x1', seed: 1.5, image: ['ftp://nope', new Uint8Array([1, 2, 3])] }),
    );
    expect(isSeedreamValidationError(error)).toBe(true);
    expect(error).toBeInstanceOf(SeedreamValidationError);
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['image[0]', 'image[1]', 'seed', 'size']);
    expect(error.message).toMatch(/size: .*1x1/);
    // A Blob whose bytes are no image is found when it is read, still before sending.
    const blobError = await caught<SeedreamValidationError>(client.generate({ prompt: 'x', image: [new Blob(['hello'])] }));
    expect(blobError.issues).toEqual([expect.objectContaining({ path: 'image[0]' })]);
    expect(emu.log.entries).toHaveLength(0);
  });

  it('reports warnings through onWarning and still sends', async () => {
    const warnings: ValidationIssue[][] = [];
    const client = clientFor(emu, { onWarning: (issues) => warnings.push(issues) });
    const result = await client.generate({ prompt: 'x', seed: 5 });
    expect(result.images).toHaveLength(1);
    expect(warnings).toEqual([[expect.objectContaining({ path: 'seed', severity: 'warning' })]]);
  });

  it('sends a request as given with validation: false (the API then answers)', async () => {
    emu.log.clear();
    const client = clientFor(emu, { validation: false });
    const error = await caught(client.generate({ prompt: 'x', size: '1x1' }));
    expect(error).toMatchObject({ status: 400, param: 'size' });
    expect(emu.log.generations()).toHaveLength(1);
  });
});

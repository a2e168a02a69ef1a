/**
 * Hostile input. Complements packages/core/test/validation.property.test.ts (size, image count, seed,
 * guidance_scale, sequential, stream, response_format, output_format, watermark):
 *
 * - a property over 10 000+ generated requests across ALL models, mixing valid and invalid values of the
 *   fields core's own property leaves out — `optimize_prompt_options`, `tools`, `layer_decomposition`,
 *   `background`, data-URI references, prompt requirements in layer mode — checked against a small oracle
 *   written here from docs/api-contract.md (§2.2, §3.1, §3.2), independent of core's table;
 * - the emulator (independent code) agrees with core on a sample sent over HTTP;
 * - oversized bodies, huge and malformed data URIs, wrong MIME types, CR/LF in prompt/model/headers, absurd
 *   sizes, deeply nested extra fields: typed errors, nothing sent when refused, bounded memory.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@seedream-kit/emulator';
import { createSeedream, isSeedreamError, isSeedreamValidationError, validateParams, type SeedreamValidationError } from '@seedream-kit/core';

// ---------------------------------------------------------------------------------------------------------
// The oracle: the contract's capability matrix (docs/api-contract.md §2.2, newest revision; flash as documented).
// ---------------------------------------------------------------------------------------------------------

interface Rules {
  presets: string[];
  pixels: [number, number];
  refs: number;
  exactlyOneImage?: boolean;
  sequential: boolean;
  stream: boolean;
  outputFormat: boolean;
  modes: string[];
  webSearch: boolean;
  layers: boolean;
  background: boolean;
}

const SPEC: Record<string, Rules> = {
  'doubao-seedream-4-0-250828': {
    presets: ['1K', '2K', '4K'],
    pixels: [921600, 16777216],
    refs: 14,
    sequential: true,
    stream: true,
    outputFormat: false,
    modes: ['standard', 'fast'],
    webSearch: false,
    layers: false,
    background: false,
  },
  'doubao-seedream-4-5-251128': {
    presets: ['2K', '4K'],
    pixels: [3686400, 16777216],
    refs: 14,
    sequential: true,
    stream: true,
    outputFormat: false,
    modes: ['standard'],
    webSearch: false,
    layers: false,
    background: false,
  },
  'doubao-seedream-5-0-260128': {
    presets: ['2K', '3K', '4K'],
    pixels: [3686400, 16777216],
    refs: 14,
    sequential: true,
    stream: true,
    outputFormat: true,
    modes: ['standard'],
    webSearch: true,
    layers: false,
    background: false,
  },
  'doubao-seedream-5-0-pro-260628': {
    presets: ['1K', '1.5K', '2K'],
    pixels: [921600, 4624220],
    refs: 10,
    sequential: false,
    stream: false,
    outputFormat: true,
    modes: ['standard', 'fast'],
    webSearch: false,
    layers: true,
    background: true,
  },
  'doubao-seedream-5-0-flash-260915': {
    presets: ['1K', '1.5K', '2K'],
    pixels: [921600, 4624220],
    refs: 10,
    sequential: false,
    stream: true,
    outputFormat: true,
    modes: ['standard'],
    webSearch: false,
    layers: true,
    background: true,
  },
  'doubao-seedream-3-0-t2i-250415': {
    presets: [],
    pixels: [262144, 4194304],
    refs: 0,
    sequential: false,
    stream: false,
    outputFormat: false,
    modes: [],
    webSearch: false,
    layers: false,
    background: false,
  },
  'doubao-seededit-3-0-i2i-250628': {
    presets: ['adaptive'],
    pixels: [262144, 4194304],
    refs: 1,
    exactlyOneImage: true,
    sequential: false,
    stream: false,
    outputFormat: false,
    modes: [],
    webSearch: false,
    layers: false,
    background: false,
  },
};
const MODELS = Object.keys(SPEC);

/** Encodes a real, decodable RGB PNG (solid colour) with node:zlib. */
function encodePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x7f)]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

/** A real 32×32 PNG, and the same bytes under other declarations. */
const PNG_32 = encodePng(32, 32);
const DATA_URIS = {
  png: `data:image/png;base64,${PNG_32.toString('base64')}`,
  upperCase: `data:image/PNG;base64,${PNG_32.toString('base64')}`,
  jpg: `data:image/jpg;base64,${PNG_32.toString('base64')}`,
  notBase64: 'data:image/png;base64,@@@not*base64@@@',
  noBase64Marker: `data:image/png,${PNG_32.toString('base64')}`,
  textHtml: `data:text/html;base64,${Buffer.from('<html></html>').toString('base64')}`,
};
type DataUriKind = keyof typeof DATA_URIS;
const VALID_DATA_URIS: DataUriKind[] = ['png'];

interface Generated {
  model: string;
  prompt: string | undefined | number;
  size: string | undefined;
  images: number;
  imageKind: 'url' | DataUriKind;
  output_format: string | undefined;
  stream: boolean | undefined;
  optimize: unknown;
  tools: unknown;
  layer: unknown;
  background: unknown;
  extra: Record<string, unknown> | undefined;
}

function requestOf(g: Generated): Record<string, unknown> {
  const request: Record<string, unknown> = { model: g.model };
  if (g.prompt !== undefined) request.prompt = g.prompt;
  if (g.size !== undefined) request.size = g.size;
  if (g.images > 0) {
    const items = Array.from({ length: g.images }, (_, i) => (g.imageKind === 'url' ? `https://img.test/${i}.png` : DATA_URIS[g.imageKind]));
    request.image = g.images === 1 ? items[0] : items;
  }
  if (g.output_format !== undefined) request.output_format = g.output_format;
  if (g.stream !== undefined) request.stream = g.stream;
  if (g.optimize !== undefined) request.optimize_prompt_options = g.optimize;
  if (g.tools !== undefined) request.tools = g.tools;
  if (g.layer !== undefined) request.layer_decomposition = g.layer;
  if (g.background !== undefined) request.background = g.background;
  return { ...g.extra, ...request };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The top-level fields the spec says are wrong in a request. */
function oracle(g: Generated): Set<string> {
  const rules = SPEC[g.model]!;
  const bad = new Set<string>();
  const layerMode = g.layer === true && rules.layers;

  // §3.1 prompt: required, optional only in (supported) layer mode.
  if (g.prompt === undefined ? !layerMode : typeof g.prompt !== 'string' || (g.prompt.trim() === '' && !layerMode)) bad.add('prompt');

  // §3.1 size: a preset of the model or WxH in range; "auto" only in layer mode, which takes no exact size.
  if (g.size !== undefined) {
    const preset = rules.presets.some((name) => name.toLowerCase() === g.size!.toLowerCase());
    const exact = /^(\d+)x(\d+)$/.exec(g.size);
    let ok = preset || (layerMode && g.size.toLowerCase() === 'auto');
    // Core refuses an exact size whenever layer_decomposition is true, even on a model without layers (where
    // layer_decomposition itself is refused too): a redundant second issue, accepted here.
    if (exact && g.layer === true) ok = false;
    else if (exact) {
      const [w, h] = [Number(exact[1]), Number(exact[2])];
      ok = w > 0 && h > 0 && w * h >= rules.pixels[0] && w * h <= rules.pixels[1] && w / h >= 1 / 16 && w / h <= 16;
    }
    if (!ok) bad.add('size');
  }

  // §3.1/§3.2 image: count per model; URLs or lower-case data:image/<accepted fmt>;base64,<valid>.
  const count = g.images;
  if (count > rules.refs || (rules.exactlyOneImage && count !== 1)) bad.add('image');
  if (count > 0 && g.imageKind !== 'url' && !VALID_DATA_URIS.includes(g.imageKind)) bad.add('image');
  // layer_decomposition and background "transparent" need exactly one image (§3.1).
  if (layerMode && count !== 1) bad.add('image');
  if (g.background === 'transparent' && rules.background && count !== 1) bad.add('image');

  if (g.stream === true && !rules.stream) bad.add('stream');

  if (g.output_format !== undefined) {
    if (!['png', 'jpeg'].includes(g.output_format) || !rules.outputFormat) bad.add('output_format');
    else if (g.background === 'transparent' && rules.background && g.output_format === 'jpeg') bad.add('output_format');
  }

  // §3.1 optimize_prompt_options: an object, mode standard|fast, and only the model's modes.
  if (g.optimize !== undefined) {
    if (!isPlainObject(g.optimize) || rules.modes.length === 0) bad.add('optimize_prompt_options');
    else if (g.optimize.mode !== undefined && !rules.modes.includes(g.optimize.mode as string)) bad.add('optimize_prompt_options');
  }

  // §3.1 tools: an array of { type: "web_search" }, lite only (an empty list asks for nothing).
  if (g.tools !== undefined) {
    const wellFormed = Array.isArray(g.tools) && g.tools.every((tool) => isPlainObject(tool) && tool.type === 'web_search');
    if (!wellFormed || ((g.tools as unknown[]).length > 0 && !rules.webSearch)) bad.add('tools');
  }

  // §3.1 layer_decomposition: a boolean; true only where supported.
  if (g.layer !== undefined && (typeof g.layer !== 'boolean' || (g.layer && !rules.layers))) bad.add('layer_decomposition');

  // §3.1 background: "transparent" | "opaque", only where supported.
  if (g.background !== undefined && (!['transparent', 'opaque'].includes(g.background as string) || !rules.background)) bad.add('background');

  return bad;
}

const arbitraries = {
  model: fc.constantFrom(...MODELS),
  prompt: fc.oneof(
    { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== '') },
    { weight: 1, arbitrary: fc.constantFrom(undefined, '', ' \n\t ', 42) },
  ),
  size: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constantFrom('1K', '1.5K', '2K', '3K', '4K', 'adaptive', 'auto', 'AUTO', '2k') },
    { weight: 2, arbitrary: fc.constantFrom('1024x1024', '2048x2048', '1280x720', '4096x4096', '512x512', '6000x300') },
  ),
  images: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 4, arbitrary: fc.constant(1) },
    { weight: 2, arbitrary: fc.integer({ min: 2, max: 15 }) },
  ),
  imageKind: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<'url' | DataUriKind>('url', 'png') },
    { weight: 1, arbitrary: fc.constantFrom<DataUriKind>('upperCase', 'jpg', 'notBase64', 'noBase64Marker', 'textHtml') },
  ),
  output_format: fc.constantFrom(undefined, undefined, 'png', 'jpeg', 'webp'),
  stream: fc.constantFrom(undefined, undefined, true, false),
  optimize: fc.constantFrom(undefined, undefined, { mode: 'standard' }, { mode: 'fast' }, {}, { mode: 'turbo' }, 'fast', null),
  tools: fc.constantFrom(undefined, undefined, [{ type: 'web_search' }], [], [{ type: 'image_search' }], { type: 'web_search' }, ['web_search']),
  layer: fc.constantFrom(undefined, undefined, true, false, 'yes'),
  background: fc.constantFrom(undefined, undefined, 'transparent', 'opaque', 'clear', true),
  // Unknown fields pass through untouched and must never be refused.
  extra: fc.option(fc.dictionary(fc.constantFrom('x_custom', 'metadata', 'callback_url', 'user', 'nested'), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 3 }), {
    nil: undefined,
  }),
};

/** Requests that use only what their model offers (then filtered by the oracle for the interplay rules). */
const validRequest: fc.Arbitrary<Generated> = fc
  .constantFrom(...MODELS)
  .chain((model) => {
    const rules = SPEC[model]!;
    const exact = fc
      .tuple(fc.integer({ min: rules.pixels[0], max: rules.pixels[1] }), fc.double({ min: -2.7, max: 2.7, noNaN: true }))
      .map(([pixels, log]) => `${Math.floor(Math.sqrt(pixels * Math.exp(log)))}x${Math.floor(Math.sqrt(pixels / Math.exp(log)))}`);
    return fc.record({
      model: fc.constant(model),
      prompt: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''),
      size: fc.oneof(fc.constant(undefined), ...(rules.presets.length > 0 ? [fc.constantFrom(...rules.presets)] : []), exact),
      images: rules.exactlyOneImage ? fc.constant(1) : fc.integer({ min: 0, max: rules.refs }),
      imageKind: fc.constantFrom<'url' | DataUriKind>('url', 'png'),
      output_format: fc.constantFrom(undefined, ...(rules.outputFormat ? ['png', 'jpeg'] : [])),
      stream: fc.constantFrom(undefined, false, ...(rules.stream ? [true] : [])),
      optimize: rules.modes.length > 0 ? fc.constantFrom(undefined, {}, ...rules.modes.map((mode) => ({ mode }))) : fc.constant(undefined),
      tools: fc.constantFrom(undefined, [], ...(rules.webSearch ? [[{ type: 'web_search' }]] : [])),
      layer: fc.constantFrom(undefined, false, ...(rules.layers ? [true] : [])),
      background: fc.constantFrom(undefined, ...(rules.background ? ['opaque', 'transparent'] : [])),
      extra: arbitraries.extra,
    });
  })
  .filter((g) => oracle(g).size === 0);

const rootOf = (path: string) => /^[^.[]+/.exec(path)?.[0] ?? path;
const refusedFields = (request: Record<string, unknown>) =>
  new Set(
    validateParams(request)
      .filter((issue) => issue.severity === 'error')
      .map((issue) => rootOf(issue.path)),
  );

describe('validateParams agrees with an independent oracle of the spec (all models)', () => {
  it('10 000 generated requests: every invalid field is refused by name, no valid request is refused', () => {
    let invalid = 0;
    let valid = 0;
    fc.assert(
      fc.property(fc.record(arbitraries), (g) => {
        const expected = oracle(g as Generated);
        const refused = refusedFields(requestOf(g as Generated));
        if (expected.size > 0) invalid++;
        else valid++;
        expect([...refused].sort()).toEqual([...expected].sort());
      }),
      { numRuns: 10_000, seed: 20261129 },
    );
    // Neither half is vacuous.
    expect(invalid).toBeGreaterThan(5_000);
    expect(valid).toBeGreaterThan(100);
  });

  it('4 000 requests valid by construction for their model (all features it has): none is refused', () => {
    let accepted = 0;
    fc.assert(
      fc.property(validRequest, (g) => {
        expect([...refusedFields(requestOf(g))]).toEqual([]);
        accepted++;
      }),
      { numRuns: 4_000, seed: 42 },
    );
    expect(accepted).toBe(4_000);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The emulator validates with its own code: a sample sent over HTTP must be judged the same way.
// ---------------------------------------------------------------------------------------------------------

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await emu.close();
});

/** The cheapest size to render per model (a preset where layer mode needs one). */
const SMALL_SIZE: Record<string, string> = {
  'doubao-seedream-4-0-250828': '1K',
  'doubao-seedream-4-5-251128': '1920x1920',
  'doubao-seedream-5-0-260128': '1920x1920',
  'doubao-seedream-5-0-pro-260628': '1K',
  'doubao-seedream-5-0-flash-260915': '1K',
  'doubao-seedream-3-0-t2i-250415': '512x512',
  'doubao-seededit-3-0-i2i-250628': 'adaptive',
};

/** Requests of the sample: small sizes (cheap to render), one fixed prompt (the art is cached). */
const httpSample = fc.record({
  ...arbitraries,
  prompt: fc.oneof({ weight: 6, arbitrary: fc.constant('a red kite') }, { weight: 1, arbitrary: fc.constantFrom(undefined, ' ') }),
  size: fc.constantFrom(undefined, '1K', '2K', 'adaptive', 'auto', '1024x1024', '512x512', '2048x2048', '6000x300'),
  stream: fc.constantFrom(undefined, false),
  extra: fc.constant(undefined),
});

describe('the emulator (independent code) agrees with core', () => {
  it('on 120 sampled requests (60 mixed, 60 valid): both refuse or both accept, and the emulator names a field core names', async () => {
    // Half mixed, half valid by construction (then made cheap: the smallest size, no stream).
    const valid = fc.sample(validRequest, { numRuns: 60, seed: 7 }).map((g) => ({ ...g, size: SMALL_SIZE[g.model], stream: undefined, extra: undefined }));
    const samples = [...(fc.sample(httpSample, { numRuns: 60, seed: 7 }) as Generated[]), ...valid];
    const disagreements: string[] = [];
    let refusedByBoth = 0;
    let acceptedByBoth = 0;
    let knownDisagreements = 0;
    const judge = async (g: Generated) => {
      const request = { ...requestOf(g), watermark: false };
      const coreRefused = refusedFields(request);
      const response = await postToEmulator(request);
      if (emptyToolsWhereUnsupported(request) && (coreRefused.size === 0 || response.param === 'tools')) {
        // Known, reported: core accepts `tools: []` on a model without web search (it asks for nothing), the
        // emulator refuses it (400 param tools). The spec does not say which is right. Pinned both ways here.
        expect([response.status, response.param]).toEqual([400, 'tools']);
        expect(coreRefused.has('tools')).toBe(false);
        knownDisagreements++;
        return;
      }
      const emulatorRefused = response.status >= 400;
      const param = response.param ? rootOf(response.param) : undefined;
      if (coreRefused.size > 0 && emulatorRefused) {
        refusedByBoth++;
        if (param && !coreRefused.has(param))
          disagreements.push(`emulator names ${param}, core names ${[...coreRefused].join(',')}: ${JSON.stringify(request).slice(0, 300)}`);
      } else if (coreRefused.size === 0 && !emulatorRefused) acceptedByBoth++;
      else
        disagreements.push(
          `core refuses [${[...coreRefused].join(',')}], emulator answers ${response.status} ${param ?? ''} ${response.code ?? ''}: ${JSON.stringify(request).slice(0, 300)}`,
        );
    };
    for (let i = 0; i < samples.length; i += 6) await Promise.all(samples.slice(i, i + 6).map(judge));
    expect(disagreements).toEqual([]);
    expect(refusedByBoth).toBeGreaterThan(20);
    expect(acceptedByBoth).toBeGreaterThan(10);
    expect(knownDisagreements).toBeGreaterThan(0);
  }, 60_000);
});

const emptyToolsWhereUnsupported = (request: Record<string, unknown>) =>
  Array.isArray(request.tools) && request.tools.length === 0 && !SPEC[request.model as string]!.webSearch;

async function postToEmulator(request: Record<string, unknown>): Promise<{ status: number; param?: string; code?: string }> {
  const response = await fetch(`${emu.baseURL}/images/generations`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-hostile', 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = (await response.json()) as { error?: { param?: string; code?: string } };
  return { status: response.status, param: body.error?.param, code: body.error?.code };
}

// ---------------------------------------------------------------------------------------------------------
// Hostile values through generate(): typed errors, nothing sent when refused, no crash, bounded memory.
// ---------------------------------------------------------------------------------------------------------

const MODEL = 'doubao-seedream-4-0-250828';
const client = () => createSeedream({ baseURL: emu.baseURL, apiKey: 'sk-hostile', timeout: 10_000 });

async function refusedLocally(params: Record<string, unknown>): Promise<SeedreamValidationError> {
  const before = emu.log.generations().length;
  let error: unknown;
  try {
    await client().generate(params as never);
  } catch (caught) {
    error = caught;
  }
  expect(isSeedreamValidationError(error), `expected a SeedreamValidationError, got ${String(error)}`).toBe(true);
  expect(emu.log.generations().length).toBe(before); // refused before the network
  return error as SeedreamValidationError;
}

const fieldsOf = (error: SeedreamValidationError) => error.issues.filter((issue) => issue.severity === 'error').map((issue) => issue.path);

describe('absurd sizes are refused by name, before the network', () => {
  it.each([
    '0x0',
    '0x1024',
    '1000000000x1',
    '1x1000000000',
    '-1x-1',
    '-2048x2048',
    'NaNxNaN',
    'Infinityx1',
    '2K ',
    ' 2K',
    '2 K',
    '2048x2048 ',
    '2048X2048',
    '2048×2048',
    '1e3x1e3',
    '2048.0x2048',
    '+2048x2048',
    '99999999999999999999x1',
    '２K',
    '2048x2048\n',
    '',
    'auto',
    'adaptive',
  ])('size %j', async (size) => {
    expect(fieldsOf(await refusedLocally({ model: MODEL, prompt: 'x', size }))).toEqual(['size']);
  });

  it.each([2048, -1, Number.NaN, null, {}, ['2K'], true])('size of type %s', async (size) => {
    expect(fieldsOf(await refusedLocally({ model: MODEL, prompt: 'x', size }))).toEqual(['size']);
  });
});

describe('wrong MIME types and malformed data URIs', () => {
  const html = Buffer.from('<!doctype html><html><body>not an image</body></html>');
  const cases: Array<[string, unknown]> = [
    ['text/html data URI', `data:text/html;base64,${html.toString('base64')}`],
    ['image/svg+xml data URI', `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64')}`],
    ['upper-case format', DATA_URIS.upperCase],
    ['image/jpg (not a format name)', DATA_URIS.jpg],
    ['invalid base64', DATA_URIS.notBase64],
    ['no ;base64 marker', DATA_URIS.noBase64Marker],
    ['empty payload', 'data:image/png;base64,'],
    ['data URI with CR/LF inside', `data:image/png;base64,${PNG_32.toString('base64').slice(0, 20)}\r\n${PNG_32.toString('base64').slice(20)}`],
    ['HTML bytes as a Uint8Array', new Uint8Array(html)],
    ['HTML bytes in a Blob declared image/png', new Blob([html], { type: 'image/png' })],
    ['an empty Uint8Array', new Uint8Array(0)],
    ['a 14 px wide PNG (sides must be > 14 px)', pngOfSize(14, 64)],
    ['a 1×100 PNG (aspect beyond 1/16)', pngOfSize(16, 300)],
    ['a 7000×7000 PNG header (> 36 MP)', pngOfSize(7000, 7000)],
    ['a number', 42],
    ['javascript: URL', 'javascript:alert(1)'],
    ['file: URL', 'file:///etc/passwd'],
  ];

  it.each(cases)('%s is refused as image', async (_label, image) => {
    const fields = fieldsOf(await refusedLocally({ model: MODEL, prompt: 'x', size: '1K', image }));
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.every((path) => rootOf(path) === 'image')).toBe(true);
  });

  it('a real PNG in a data URI is accepted and reaches the emulator once', async () => {
    const before = emu.log.generations().length;
    const result = await client().generate({ model: MODEL, prompt: 'x', size: '1K', image: DATA_URIS.png });
    expect(result.images).toHaveLength(1);
    expect(emu.log.generations().length).toBe(before + 1);
  });

  // Found by this suite and fixed in core: the bytes inside a data URI are sniffed, so HTML declared image/png
  // and a truncated PNG header no longer cost a round trip and a 400. (A real PNG declared image/gif is still
  // sent as is; the emulator decodes it fine, and what the real API does is unknown, so no test.)
  it.each<[string, string]>([
    ['HTML bytes declared image/png', `data:image/png;base64,${html.toString('base64')}`],
    ['a truncated PNG header', `data:image/png;base64,${PNG_32.subarray(0, 12).toString('base64')}`],
  ])('%s is refused locally', async (_label, image) => {
    await refusedLocally({ model: MODEL, prompt: 'x', size: '1K', image });
  });

  it('…and the emulator, checking on its own, answers such a data URI with a typed 400 (core validation off)', async () => {
    for (const image of [`data:image/png;base64,${html.toString('base64')}`, `data:image/png;base64,${PNG_32.subarray(0, 12).toString('base64')}`]) {
      const before = emu.log.generations().length;
      const error = await createSeedream({ baseURL: emu.baseURL, apiKey: 'sk-hostile', validation: false })
        .generate({ model: MODEL, prompt: 'x', size: '1K', image })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 400 });
      expect(isSeedreamError(error)).toBe(true);
      expect(emu.log.generations().length).toBe(before + 1);
    }
  });
});

/** A PNG signature + IHDR claiming the given size (enough for a header reader; no pixel data). */
function pngOfSize(width: number, height: number): Uint8Array {
  const bytes = Buffer.from(PNG_32);
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return new Uint8Array(bytes);
}

describe('oversized inputs: refused before the network, memory bounded', () => {
  it('a 5 MB prompt is refused by name, nothing sent', async () => {
    expect(fieldsOf(await refusedLocally({ model: MODEL, prompt: 'a'.repeat(5_000_000) }))).toEqual(['prompt']);
  });

  it('a 50 MB data URI is refused by name; RSS grows less than 10× the input', async () => {
    const input = `data:image/png;base64,${PNG_32.toString('base64')}${'A'.repeat(50_000_000)}`;
    const before = process.memoryUsage().rss;
    const error = await refusedLocally({ model: MODEL, prompt: 'x', image: input });
    const grown = process.memoryUsage().rss - before;
    expect(fieldsOf(error).length).toBeGreaterThan(0);
    expect(new Set(fieldsOf(error).map(rootOf))).toEqual(new Set(['image']));
    expect(error.message.length).toBeLessThan(2_000); // the message does not repeat the input
    expect(grown).toBeLessThan(10 * input.length);
  });

  it('a 50 MB Uint8Array reference is refused by name; RSS grows less than 10× the input', async () => {
    const bytes = new Uint8Array(50_000_000);
    bytes.set(PNG_32);
    const before = process.memoryUsage().rss;
    const error = await refusedLocally({ model: MODEL, prompt: 'x', image: [bytes, bytes] });
    const grown = process.memoryUsage().rss - before;
    expect(fieldsOf(error).map(rootOf)).toEqual(['image', 'image']);
    expect(grown).toBeLessThan(10 * bytes.length);
  });

  it('a 9 MB reference given as bytes (under the 10 MiB cap) is encoded and sent once; RSS grows less than 10× the input', async () => {
    // The body goes to a server that only counts and discards it, so the RSS measured is the client's own.
    let received = 0;
    let requests = 0;
    const sink = http.createServer((request, response) => {
      requests++;
      request.on('data', (chunk: Buffer) => (received += chunk.length));
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'sink-1' });
        response.end(
          JSON.stringify({ model: MODEL, created: 1, data: [{ url: 'https://img.test/out.jpeg', size: '1024x1024' }], usage: { generated_images: 1 } }),
        );
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    try {
      const bytes = new Uint8Array(9_000_000);
      bytes.set(PNG_32); // a real PNG header, then padding
      const sinkClient = createSeedream({ baseURL: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/v1`, apiKey: 'sk-hostile', timeout: 20_000 });
      const rss = process.memoryUsage().rss;
      const result = await sinkClient.generate({ model: MODEL, prompt: 'x', size: '1K', image: bytes });
      const grown = process.memoryUsage().rss - rss;
      expect(result.images).toHaveLength(1);
      expect(requests).toBe(1);
      expect(received).toBeGreaterThan((bytes.length * 4) / 3); // the whole image went, as base64
      expect(grown).toBeLessThan(10 * bytes.length);
    } finally {
      sink.closeAllConnections();
      await new Promise((resolve) => sink.close(resolve));
    }
  });

  it('a 20 MB unknown extra field passes validation (pass-through), is sent once and answered', async () => {
    const before = emu.log.generations().length;
    const result = await client().generate({ model: MODEL, prompt: 'x', size: '1K', x_blob: 'z'.repeat(20_000_000) } as { model: string; prompt: string });
    expect(result.images).toHaveLength(1);
    expect(emu.log.generations().length).toBe(before + 1);
  });

  it('with validation off, a 30 MB data URI is sent once and refused by the emulator with a typed error', async () => {
    const before = emu.log.generations().length;
    const image = `data:image/png;base64,${'A'.repeat(30_000_000)}`;
    const error = await createSeedream({ baseURL: emu.baseURL, apiKey: 'sk-hostile', timeout: 20_000, validation: false })
      .generate({ model: MODEL, prompt: 'x', size: '1K', image })
      .catch((caught: unknown) => caught);
    expect(isSeedreamError(error)).toBe(true);
    expect(emu.log.generations().length).toBe(before + 1);
  });
});

describe('CR/LF and header injection', () => {
  it('a prompt full of CR/LF and header lines travels in the JSON body only', async () => {
    const prompt = 'a kite\r\nx-injected: 1\r\n\r\nGET /admin HTTP/1.1\r\nHost: evil';
    const result = await client().generate({ model: MODEL, prompt, size: '1K' });
    expect(result.images).toHaveLength(1);
    const entry = emu.log.generations().at(-1)!;
    expect(entry.headers['x-injected']).toBeUndefined();
    expect((entry.body as { prompt: string }).prompt).toBe(prompt);
    expect(emu.log.entries.filter((e) => e.path === '/admin')).toEqual([]);
  });

  it('a model id with CR/LF is sent as data (unknown model → typed 404), no header injected', async () => {
    const error = await client()
      .generate({ model: `${MODEL}\r\nx-injected: 1`, prompt: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 404 });
    expect(emu.log.generations().at(-1)!.headers['x-injected']).toBeUndefined();
  });

  it('an API key with CR/LF or non-Latin-1 characters is a typed error that does not repeat the key, nothing sent', async () => {
    for (const apiKey of ['sk-hostile-SECRET\r\nx-injected: 1', 'sk-hostile-SECRET-ключ', 'sk-hostile-SECRET\n']) {
      const before = emu.log.entries.length;
      const error = await createSeedream({ baseURL: emu.baseURL, apiKey })
        .generate({ prompt: 'x' })
        .catch((caught: unknown) => caught);
      expect(isSeedreamError(error)).toBe(true);
      expect(String((error as Error).message)).not.toContain('SECRET');
      expect(emu.log.entries.length).toBe(before);
    }
  });

  it('custom header values with CR/LF and bad header names: a typed error, nothing reaches the server', async () => {
    const cases: Array<Record<string, string>> = [
      { 'x-custom': 'a\r\nx-injected: 1' },
      { 'x-custom': 'a\nb' },
      { 'x bad name': '1' },
      { 'x-custom\r\nx-injected': '1' },
    ];
    for (const headers of cases) {
      const before = emu.log.entries.length;
      const perRequest = await client()
        .generate({ model: MODEL, prompt: 'x', size: '1K' }, { headers })
        .catch((caught: unknown) => caught);
      const perClient = await createSeedream({ baseURL: emu.baseURL, apiKey: 'sk-hostile', headers })
        .generate({ model: MODEL, prompt: 'x', size: '1K' })
        .catch((caught: unknown) => caught);
      expect(isSeedreamError(perRequest)).toBe(true);
      expect(isSeedreamError(perClient)).toBe(true);
      expect(emu.log.entries.length).toBe(before);
    }
  });

  // Found by this suite and fixed in core: such a header used to make fetch throw after the call was reported
  // as possibly billed ("transfer"). Core now refuses it first, as a validation error naming the header.
  it('an invalid header is a validation error naming it, with no billing warning', async () => {
    const error = await client()
      .generate({ model: MODEL, prompt: 'x', size: '1K' }, { headers: { 'x-custom': 'a\r\nx-injected: 1' } })
      .catch((caught: unknown) => caught);
    expect(isSeedreamValidationError(error)).toBe(true);
    expect(fieldsOf(error as SeedreamValidationError)).toEqual(['headers.x-custom']);
    expect((error as Error).message).not.toMatch(/billed/);
  });
});

describe('deeply nested and unserialisable extra fields', () => {
  const nested = (depth: number) => {
    const root: Record<string, unknown> = {};
    let node = root;
    for (let i = 0; i < depth; i++) node = node.a = {} as Record<string, unknown>;
    return root;
  };

  it('validateParams never throws, whatever hangs off an unknown field', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const extra of [nested(1_000), nested(100_000), cyclic, 10n, Symbol('s'), () => 1, new Map([[1, 2]])]) {
      expect(() => validateParams({ model: MODEL, prompt: 'x', extra })).not.toThrow();
    }
  });

  it('a 1 000-deep extra object is sent and answered', async () => {
    const result = await client().generate({ model: MODEL, prompt: 'x', size: '1K', extra: nested(1_000) } as { model: string; prompt: string });
    expect(result.images).toHaveLength(1);
  });

  // Found by this suite and fixed in core: params that JSON.stringify cannot serialise (a 5 000-deep object, a
  // cycle, a BigInt) used to reject with the raw RangeError / TypeError; now a validation error names the field.
  it.each<[string, unknown]>([
    ['a 5 000-deep object', nested(5_000)],
    [
      'a cycle',
      (() => {
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        return cyclic;
      })(),
    ],
    ['a BigInt', 10n],
  ])('%s in an extra field gives a validation error naming it', async (_label, extra) => {
    const error = await client()
      .generate({ model: MODEL, prompt: 'x', size: '1K', extra } as never)
      .catch((caught: unknown) => caught);
    expect(isSeedreamValidationError(error)).toBe(true);
    expect(fieldsOf(error as SeedreamValidationError)).toEqual(['extra']);
  });

  it('…and such params are at least never sent, and the rejection is an Error', async () => {
    const before = emu.log.entries.length;
    const error = await client()
      .generate({ model: MODEL, prompt: 'x', size: '1K', extra: nested(50_000) } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(emu.log.entries.length).toBe(before);
  });
});

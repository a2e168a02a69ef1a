/**
 * Property test of validateParams against an oracle written here from docs/api-contract.md (§2.2, §3), independently of
 * src/models.ts: for 10 000+ generated requests, the fields refused are exactly the fields the oracle finds
 * invalid — every invalid request is refused with its field named, and no valid one is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateParams } from '../src/index.js';

interface Spec {
  presets: string[];
  pixels: [number, number];
  refs: number;
  sequential: boolean;
  stream: boolean;
  outputFormat: boolean;
  requiresImage?: boolean;
}

// docs/api-contract.md §2.2 (newest revision where sources disagree, §10), plus the legacy models.
const SPEC: Record<string, Spec> = {
  'doubao-seedream-4-0-250828': { presets: ['1K', '2K', '4K'], pixels: [921600, 16777216], refs: 14, sequential: true, stream: true, outputFormat: false },
  'doubao-seedream-4-5-251128': { presets: ['2K', '4K'], pixels: [3686400, 16777216], refs: 14, sequential: true, stream: true, outputFormat: false },
  'seedream-4-5-251128': { presets: ['2K', '4K'], pixels: [3686400, 16777216], refs: 14, sequential: true, stream: true, outputFormat: false },
  'doubao-seedream-5-0-260128': { presets: ['2K', '3K', '4K'], pixels: [3686400, 16777216], refs: 14, sequential: true, stream: true, outputFormat: true },
  'doubao-seedream-5-0-pro-260628': {
    presets: ['1K', '1.5K', '2K'],
    pixels: [921600, 4624220],
    refs: 10,
    sequential: false,
    stream: false,
    outputFormat: true,
  },
  'doubao-seedream-5-0-flash-260915': {
    presets: ['1K', '1.5K', '2K'],
    pixels: [921600, 4624220],
    refs: 10,
    sequential: false,
    stream: true,
    outputFormat: true,
  },
  'doubao-seedream-3-0-t2i-250415': { presets: [], pixels: [262144, 4194304], refs: 0, sequential: false, stream: false, outputFormat: false },
  'doubao-seededit-3-0-i2i-250628': {
    presets: ['adaptive'],
    pixels: [262144, 4194304],
    refs: 1,
    sequential: false,
    stream: false,
    outputFormat: false,
    requiresImage: true,
  },
  'ep-20260101-generic': {
    presets: ['1K', '1.5K', '2K', '3K', '4K'],
    pixels: [262144, 16777216],
    refs: 14,
    sequential: true,
    stream: true,
    outputFormat: true,
  },
};

const ALL_PRESETS = ['1K', '1.5K', '2K', '3K', '4K', 'adaptive', '2k', '4k'];

const arbitraries = {
  model: fc.constantFrom(...Object.keys(SPEC)),
  prompt: fc.oneof(
    { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '') },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', undefined, 5) },
  ),
  size: fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...ALL_PRESETS) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.oneof(fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 100, max: 70000 })),
          fc.oneof(fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 50, max: 5000 })),
        )
        .map(([w, h]) => `${w}x${h}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('2048X2048', 'big', '2048*2048', ' 2K', 2048) },
  ),
  image: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constant('https://img.test/one.png') },
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 16 }).map((n) => Array.from({ length: n }, (_, i) => `https://img.test/${i}.png`)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom('ftp://x', 'data:image/PNG;base64,AAAA', 'data:image/jpg;base64,AAAA', 7))
        .map(([n, bad]) => [...Array.from({ length: n }, (_, i) => `https://img.test/${i}.png`), bad]),
    },
  ),
  seed: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.integer({ min: -5, max: 2147483650 }) },
    { weight: 1, arbitrary: fc.constantFrom(1.5, '3', Number.NaN, -1, 2147483647) },
  ),
  guidance_scale: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.double({ min: -2, max: 13, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, '5', 1, 10) },
  ),
  sequential_image_generation: fc.constantFrom(undefined, undefined, 'auto', 'disabled', 'on'),
  max_images: fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 17 }), fc.constant(2.5)),
  stream: fc.constantFrom(undefined, undefined, true, false, 'yes'),
  response_format: fc.constantFrom(undefined, 'url', 'b64_json', 'png'),
  output_format: fc.constantFrom(undefined, undefined, 'png', 'jpeg', 'webp'),
  watermark: fc.constantFrom(undefined, true, false, 'no'),
};

type Generated = { [K in keyof typeof arbitraries]: (typeof arbitraries)[K] extends fc.Arbitrary<infer T> ? T : never };

function requestOf(g: Generated): Record<string, unknown> {
  const request: Record<string, unknown> = { model: g.model };
  for (const key of Object.keys(g) as (keyof Generated)[]) {
    if (key === 'max_images' || key === 'model' || g[key] === undefined) continue;
    request[key] = g[key];
  }
  if (g.max_images !== undefined) request.sequential_image_generation_options = { max_images: g.max_images };
  return request;
}

/** The fields the spec says are wrong, as top-level names. */
function oracle(g: Generated): Set<string> {
  const spec = SPEC[g.model]!;
  const bad = new Set<string>();
  if (typeof g.prompt !== 'string' || g.prompt.trim() === '') bad.add('prompt');

  if (g.size !== undefined) {
    const size = g.size;
    let ok = false;
    if (typeof size === 'string') {
      if (spec.presets.some((preset) => preset.toLowerCase() === size.toLowerCase())) ok = true;
      const match = /^(\d+)x(\d+)$/.exec(size);
      if (match) {
        const [w, h] = [Number(match[1]), Number(match[2])];
        ok = w > 0 && h > 0 && w * h >= spec.pixels[0] && w * h <= spec.pixels[1] && w / h >= 1 / 16 && w / h <= 16;
      }
    }
    if (!ok) bad.add('size');
  }

  const images = g.image === undefined ? [] : Array.isArray(g.image) ? g.image : [g.image];
  if (g.image !== undefined) {
    const countOk = !(Array.isArray(g.image) && g.image.length === 0) && images.length <= spec.refs && (!spec.requiresImage || images.length === 1);
    const itemsOk = images.every((item) => typeof item === 'string' && item.startsWith('https://'));
    if (!countOk || !itemsOk) bad.add('image');
  } else if (spec.requiresImage) bad.add('image');

  const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
  if (g.seed !== undefined && !(isInt(g.seed) && g.seed >= -1 && g.seed <= 2147483647)) bad.add('seed');
  if (g.guidance_scale !== undefined) {
    const value = g.guidance_scale;
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 1 && value <= 10)) bad.add('guidance_scale');
  }
  if (g.sequential_image_generation !== undefined) {
    if (!['auto', 'disabled'].includes(g.sequential_image_generation)) bad.add('sequential_image_generation');
    else if (g.sequential_image_generation === 'auto' && !spec.sequential) bad.add('sequential_image_generation');
  }
  if (g.max_images !== undefined && !(isInt(g.max_images) && g.max_images >= 1 && g.max_images <= 15 && images.length + g.max_images <= 15)) {
    bad.add('sequential_image_generation_options');
  }
  if (g.stream !== undefined && (typeof g.stream !== 'boolean' || (g.stream && !spec.stream))) bad.add('stream');
  if (g.response_format !== undefined && !['url', 'b64_json'].includes(g.response_format)) bad.add('response_format');
  if (g.output_format !== undefined && (!['png', 'jpeg'].includes(g.output_format) || !spec.outputFormat)) bad.add('output_format');
  if (g.watermark !== undefined && typeof g.watermark !== 'boolean') bad.add('watermark');
  return bad;
}

const rootOf = (path: string) => /^[^.[]+/.exec(path)?.[0] ?? path;

/** Requests valid by construction for their model. */
const validRequest = fc
  .constantFrom(...Object.keys(SPEC))
  .chain((model) => {
    const spec = SPEC[model]!;
    const logRatio = Math.log(16);
    const exactSize = fc
      .tuple(fc.integer({ min: spec.pixels[0], max: spec.pixels[1] }), fc.double({ min: -logRatio, max: logRatio, noNaN: true }))
      .map(([pixels, log]) => `${Math.round(Math.sqrt(pixels * Math.exp(log)))}x${Math.round(Math.sqrt(pixels / Math.exp(log)))}`);
    const refs = spec.requiresImage ? fc.constant(1) : fc.integer({ min: 0, max: spec.refs });
    return fc
      .record({
        model: fc.constant(model),
        prompt: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ''),
        size:
          spec.presets.length > 0 ? fc.oneof(fc.constant(undefined), fc.constantFrom(...spec.presets), exactSize) : fc.oneof(fc.constant(undefined), exactSize),
        image: refs.map((n) =>
          n === 0 ? undefined : n === 1 && spec.requiresImage ? 'https://img.test/a.png' : Array.from({ length: n }, (_, i) => `https://img.test/${i}.png`),
        ),
        seed: fc.option(fc.integer({ min: -1, max: 2147483647 }), { nil: undefined }),
        guidance_scale: fc.option(fc.double({ min: 1, max: 10, noNaN: true }), { nil: undefined }),
        sequential_image_generation: fc.constantFrom(undefined, 'disabled', ...(spec.sequential ? ['auto'] : [])),
        max_images: fc.constant(undefined as number | undefined),
        stream: fc.constantFrom(undefined, false, ...(spec.stream ? [true] : [])),
        response_format: fc.constantFrom(undefined, 'url', 'b64_json'),
        output_format: fc.constantFrom(undefined, ...(spec.outputFormat ? ['png', 'jpeg'] : [])),
        watermark: fc.constantFrom(undefined, true, false),
      })
      .chain((request) => {
        const count = Array.isArray(request.image) ? request.image.length : request.image ? 1 : 0;
        return count >= 15
          ? fc.constant(request)
          : fc.option(fc.integer({ min: 1, max: 15 - count }), { nil: undefined }).map((max_images) => ({ ...request, max_images }));
      });
  })
  .filter((g) => oracle(g as Generated).size === 0);

describe('validateParams agrees with the spec on generated requests', () => {
  it('refuses exactly the invalid fields (6 000 mixed requests)', () => {
    let invalid = 0;
    fc.assert(
      fc.property(fc.record(arbitraries, { requiredKeys: [] as never[] }), (partial) => {
        const g = { model: 'doubao-seedream-4-5-251128', ...partial } as Generated;
        const expected = oracle(g);
        const refused = new Set(
          validateParams(requestOf(g))
            .filter((issue) => issue.severity === 'error')
            .map((issue) => rootOf(issue.path)),
        );
        if (expected.size > 0) invalid++;
        expect([...refused].sort()).toEqual([...expected].sort());
      }),
      { numRuns: 6_000 },
    );
    expect(invalid).toBeGreaterThan(2000); // the property is not vacuous
  });

  it('refuses no valid request (4 000 requests valid by construction)', () => {
    fc.assert(
      fc.property(validRequest, (g) => {
        const issues = validateParams(requestOf(g as Generated)).filter((issue) => issue.severity === 'error');
        expect(issues).toEqual([]);
      }),
      { numRuns: 4_000 },
    );
  });
});

/**
 * The emulator's own model rule table (docs/api-contract.md §2–§3), kept as data and independent of @seedream-kit/core so the
 * two can check each other. Values follow the newest provider revision where sources disagree (docs/api-contract.md §10).
 */

export type Ratio = '1:1' | '4:3' | '3:4' | '16:9' | '9:16' | '3:2' | '2:3' | '21:9' | '9:21';

/** Landscape sizes per ratio; portrait ratios are the swap. */
type PresetTable = Record<'1:1' | '4:3' | '16:9' | '3:2' | '21:9', [number, number]>;

export interface ModelRules {
  family: '3.0-t2i' | 'seededit-3.0' | '4.0' | '4.5' | '5.0-lite' | '5.0-pro' | '5.0-flash';
  /** Every id the emulator answers to for this model (Volcengine, BytePlus, CometAPI spellings). */
  ids: readonly string[];
  /** Path segment of result URLs (the id without its date), like the real TOS links. */
  urlName: string;
  presets: Readonly<Record<string, PresetTable>>;
  /** Inclusive bounds of W×H for an exact size. */
  pixels: readonly [number, number];
  /** Inclusive bounds of W/H. */
  aspect: readonly [number, number];
  defaultSize: string;
  maxReferenceImages: number;
  /** Exactly one reference image is required (SeedEdit). */
  requiresImage: boolean;
  maxImageBytes: number;
  sequential: boolean;
  stream: boolean;
  /** `output_format` honoured (else output is always jpeg). */
  outputFormat: boolean;
  promptModes: readonly string[];
  webSearch: boolean;
  /** `seed` / `guidance_scale` documented for this model. */
  seedAndGuidance: boolean;
  layerDecomposition: boolean;
  /** `usage.input_images` and `data[].output_format` are reported (5.0 pro). */
  reportsInputImages: boolean;
}

const MB = 1024 * 1024;

const ONE_K_40: PresetTable = { '1:1': [1024, 1024], '4:3': [1152, 864], '16:9': [1280, 720], '3:2': [1248, 832], '21:9': [1512, 648] };
const ONE_K_PRO: PresetTable = { '1:1': [1024, 1024], '4:3': [1152, 864], '16:9': [1424, 800], '3:2': [1248, 832], '21:9': [1568, 672] };
// 1.5K is not in the provider's table; these keep the 1K/2K shapes at about 2.36 MP (inferred).
const ONE_HALF_K: PresetTable = { '1:1': [1536, 1536], '4:3': [1728, 1296], '16:9': [2048, 1152], '3:2': [1872, 1248], '21:9': [2352, 1008] };
const TWO_K: PresetTable = { '1:1': [2048, 2048], '4:3': [2304, 1728], '16:9': [2848, 1600], '3:2': [2496, 1664], '21:9': [3136, 1344] };
const TWO_K_PRO: PresetTable = { '1:1': [2048, 2048], '4:3': [2368, 1776], '16:9': [2816, 1584], '3:2': [2496, 1664], '21:9': [3136, 1344] };
const THREE_K: PresetTable = { '1:1': [3072, 3072], '4:3': [3456, 2592], '16:9': [4096, 2304], '3:2': [3744, 2496], '21:9': [4704, 2016] };
const FOUR_K: PresetTable = { '1:1': [4096, 4096], '4:3': [4704, 3520], '16:9': [5504, 3040], '3:2': [4992, 3328], '21:9': [6240, 2656] };

const WIDE = [1 / 16, 16] as const;

export const MODELS: readonly ModelRules[] = [
  {
    family: '4.0',
    ids: ['doubao-seedream-4-0-250828', 'seedream-4-0-250828', 'bytedance-seedream-4-0-250828', 'doubao-seedream-4.0', 'doubao-seedream-4-0'],
    urlName: 'doubao-seedream-4-0',
    presets: { '1K': ONE_K_40, '2K': TWO_K, '4K': FOUR_K },
    pixels: [921600, 16777216],
    aspect: WIDE,
    defaultSize: '2048x2048',
    maxReferenceImages: 14,
    requiresImage: false,
    maxImageBytes: 10 * MB,
    sequential: true,
    stream: true,
    outputFormat: false,
    promptModes: ['standard', 'fast'],
    webSearch: false,
    seedAndGuidance: false,
    layerDecomposition: false,
    reportsInputImages: false,
  },
  {
    family: '4.5',
    ids: ['doubao-seedream-4-5-251128', 'seedream-4-5-251128', 'doubao-seedream-4.5', 'doubao-seedream-4-5'],
    urlName: 'doubao-seedream-4-5',
    presets: { '2K': TWO_K, '4K': FOUR_K },
    pixels: [3686400, 16777216],
    aspect: WIDE,
    defaultSize: '2048x2048',
    maxReferenceImages: 14,
    requiresImage: false,
    maxImageBytes: 10 * MB,
    sequential: true,
    stream: true,
    outputFormat: false,
    promptModes: ['standard'],
    webSearch: false,
    seedAndGuidance: false,
    layerDecomposition: false,
    reportsInputImages: false,
  },
  {
    family: '5.0-lite',
    ids: [
      'doubao-seedream-5-0-260128',
      'doubao-seedream-5-0-lite-260128',
      'seedream-5-0-260128',
      'seedream-5-0-lite-260128',
      'doubao-seedream-5.0-lite',
      'doubao-seedream-5-0-lite',
    ],
    urlName: 'doubao-seedream-5-0',
    presets: { '2K': TWO_K, '3K': THREE_K, '4K': FOUR_K },
    pixels: [3686400, 16777216],
    aspect: WIDE,
    defaultSize: '2048x2048',
    maxReferenceImages: 14,
    requiresImage: false,
    maxImageBytes: 30 * MB,
    sequential: true,
    stream: true,
    outputFormat: true,
    promptModes: ['standard'],
    webSearch: true,
    seedAndGuidance: false,
    layerDecomposition: false,
    reportsInputImages: false,
  },
  {
    family: '5.0-pro',
    ids: ['doubao-seedream-5-0-pro-260628', 'dola-seedream-5-0-pro-260628', 'seedream-5-0-pro-260628', 'doubao-seedream-5.0-pro', 'doubao-seedream-5-0-pro'],
    urlName: 'doubao-seedream-5-0-pro',
    presets: { '1K': ONE_K_PRO, '1.5K': ONE_HALF_K, '2K': TWO_K_PRO },
    pixels: [921600, 4624220],
    aspect: WIDE,
    defaultSize: '2K',
    maxReferenceImages: 10,
    requiresImage: false,
    maxImageBytes: 30 * MB,
    sequential: false,
    stream: false,
    outputFormat: true,
    promptModes: ['standard', 'fast'],
    webSearch: false,
    seedAndGuidance: false,
    layerDecomposition: true,
    reportsInputImages: true,
  },
  {
    family: '5.0-flash',
    ids: ['doubao-seedream-5-0-flash-260915', 'dola-seedream-5-0-flash-260915', 'seedream-5-0-flash-260915', 'doubao-seedream-5.0-flash'],
    urlName: 'doubao-seedream-5-0-flash',
    presets: { '1K': ONE_K_PRO, '1.5K': ONE_HALF_K, '2K': TWO_K_PRO },
    pixels: [921600, 4624220],
    aspect: WIDE,
    defaultSize: '2K',
    maxReferenceImages: 10,
    requiresImage: false,
    maxImageBytes: 30 * MB,
    sequential: false,
    stream: true, // unclear upstream (docs/api-contract.md §2.2); permissive here
    outputFormat: true,
    promptModes: ['standard'],
    webSearch: false,
    seedAndGuidance: false,
    layerDecomposition: true,
    reportsInputImages: false,
  },
  {
    family: '3.0-t2i',
    ids: ['doubao-seedream-3-0-t2i-250415', 'seedream-3-0-t2i-250415'],
    urlName: 'doubao-seedream-3-0-t2i',
    presets: {},
    // 3.0 takes exact sizes of 512–2048 px a side (legacy doc; inferred as a pixel range).
    pixels: [262144, 4194304],
    aspect: WIDE,
    defaultSize: '1024x1024',
    maxReferenceImages: 0,
    requiresImage: false,
    maxImageBytes: 10 * MB,
    sequential: false,
    stream: false,
    outputFormat: false,
    promptModes: [],
    webSearch: false,
    seedAndGuidance: true,
    layerDecomposition: false,
    reportsInputImages: false,
  },
  {
    family: 'seededit-3.0',
    ids: ['doubao-seededit-3-0-i2i-250628', 'seededit-3-0-i2i-250628', 'bytedance-seedEdit-3.0-i2i'],
    urlName: 'doubao-seededit-3-0-i2i',
    presets: {},
    pixels: [262144, 4194304],
    aspect: WIDE,
    defaultSize: 'adaptive',
    maxReferenceImages: 1,
    requiresImage: true,
    maxImageBytes: 10 * MB,
    sequential: false,
    stream: false,
    outputFormat: false,
    promptModes: [],
    webSearch: false,
    seedAndGuidance: true,
    layerDecomposition: false,
    reportsInputImages: false,
  },
];

const byId = new Map<string, ModelRules>();
for (const model of MODELS) for (const id of model.ids) byId.set(id, model);

/** Looks a model up by id. Inference endpoint ids (`ep-…`) behave like Seedream 4.0. */
export function findModel(id: string): ModelRules | undefined {
  const found = byId.get(id);
  if (found) return found;
  if (/^ep-[0-9a-z-]+$/i.test(id)) return MODELS[0];
  return undefined;
}

/** The size for a preset and ratio (portrait ratios are the swapped landscape size). */
export function presetSize(model: ModelRules, preset: string, ratio: Ratio): [number, number] | undefined {
  const table = model.presets[preset];
  if (!table) return undefined;
  const [a, b] = ratio.split(':').map(Number) as [number, number];
  const landscape = `${Math.max(a, b)}:${Math.min(a, b)}` as keyof PresetTable;
  const [w, h] = table[landscape];
  return a >= b ? [w, h] : [h, w];
}

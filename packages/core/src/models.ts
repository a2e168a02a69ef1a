/**
 * The model capability table (docs/api-contract.md §2–§3), kept as data: validation reads its rules from here, never from
 * code paths per model. Where sources disagree the newest provider revision wins (docs/api-contract.md §10); every value can
 * be overridden per client with `validation.models`.
 */

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'bmp' | 'tiff' | 'gif' | 'heic' | 'heif';
export type ModelFamily = '4.0' | '4.5' | '5.0-lite' | '5.0-pro' | '5.0-flash' | '3.0-t2i' | 'seededit-3.0' | 'generic';

export interface ModelCapabilities {
  /** Canonical (Volcengine / CometAPI) id. */
  id: string;
  name: string;
  family: ModelFamily;
  /** Other spellings of the same model (BytePlus, CometAPI, dotted plan-endpoint names). */
  aliases: readonly string[];
  /** False for the generic limits applied to unknown ids (e.g. `ep-…` endpoints, models newer than this table). */
  known: boolean;
  /** Size presets, matched case-insensitively (`2K`). */
  sizePresets: readonly string[];
  /** The API's default when `size` is omitted. */
  defaultSize: string;
  /** Inclusive bounds of width × height for an exact `"<W>x<H>"` size. */
  pixelRange: readonly [number, number];
  /** Inclusive bounds of width / height. */
  aspectRange: readonly [number, number];
  /** Most reference images per request (0: text-to-image only). */
  maxReferenceImages: number;
  /** Exactly one reference image is required (SeedEdit). */
  requiresReferenceImage: boolean;
  /** Formats accepted for reference images (the lower-case `<fmt>` of a data URI). */
  inputFormats: readonly ImageFormat[];
  /** Smallest side of a reference image, in px (the docs: "greater than 14 px"). */
  inputMinSide: number;
  /** Inclusive bounds of a reference image's width / height. */
  inputAspectRange: readonly [number, number];
  /** Most pixels (width × height) of a reference image. */
  inputMaxPixels: number;
  /** `sequential_image_generation: "auto"` (group output, up to 15 images with the references). */
  sequential: boolean;
  /** `stream: true`. */
  stream: boolean;
  /** `output_format` (png/jpeg) is honoured; 4.x always answers JPEG. */
  outputFormat: boolean;
  /** Allowed `optimize_prompt_options.mode` values. */
  optimizePromptModes: readonly ('standard' | 'fast')[];
  /** `tools: [{ type: "web_search" }]`. */
  webSearch: boolean;
  /** `seed` is documented for this model. */
  seed: boolean;
  /** `guidance_scale` is documented for this model. */
  guidanceScale: boolean;
  /** `layer_decomposition: true`. */
  layerDecomposition: boolean;
  /** `background: "transparent" | "opaque"`. */
  background: boolean;
}

const ALL_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'bmp', 'tiff', 'gif', 'heic', 'heif'];
const WIDE: readonly [number, number] = [1 / 16, 16];

/** Every model of docs/api-contract.md §2, newest first. */
export const models: readonly ModelCapabilities[] = Object.freeze([
  {
    id: 'doubao-seedream-5-0-pro-260628',
    name: 'Seedream 5.0 Pro',
    family: '5.0-pro',
    aliases: ['dola-seedream-5-0-pro-260628', 'seedream-5-0-pro-260628', 'doubao-seedream-5.0-pro', 'doubao-seedream-5-0-pro'],
    known: true,
    sizePresets: ['1K', '1.5K', '2K'],
    defaultSize: '2K',
    pixelRange: [921_600, 4_624_220],
    aspectRange: WIDE,
    maxReferenceImages: 10,
    requiresReferenceImage: false,
    inputFormats: ALL_FORMATS,
    inputMinSide: 15,
    inputAspectRange: WIDE,
    inputMaxPixels: 36_000_000,
    sequential: false,
    stream: false,
    outputFormat: true,
    optimizePromptModes: ['standard', 'fast'],
    webSearch: false,
    seed: false,
    guidanceScale: false,
    layerDecomposition: true,
    background: true,
  },
  {
    id: 'doubao-seedream-5-0-flash-260915',
    name: 'Seedream 5.0 Flash',
    family: '5.0-flash',
    aliases: ['dola-seedream-5-0-flash-260915', 'seedream-5-0-flash-260915', 'doubao-seedream-5.0-flash'],
    known: true,
    sizePresets: ['1K', '1.5K', '2K'],
    defaultSize: '2K',
    pixelRange: [921_600, 4_624_220],
    aspectRange: WIDE,
    maxReferenceImages: 10,
    requiresReferenceImage: false,
    inputFormats: ALL_FORMATS,
    inputMinSide: 15,
    inputAspectRange: WIDE,
    inputMaxPixels: 36_000_000,
    sequential: false,
    // Streaming is "unclear" upstream (docs/api-contract.md §2.2): allowed here so the API decides.
    stream: true,
    outputFormat: true,
    optimizePromptModes: ['standard'],
    webSearch: false,
    seed: false,
    guidanceScale: false,
    layerDecomposition: true,
    background: true,
  },
  {
    id: 'doubao-seedream-5-0-260128',
    name: 'Seedream 5.0 Lite',
    family: '5.0-lite',
    aliases: ['doubao-seedream-5-0-lite-260128', 'seedream-5-0-260128', 'seedream-5-0-lite-260128', 'doubao-seedream-5.0-lite', 'doubao-seedream-5-0-lite'],
    known: true,
    sizePresets: ['2K', '3K', '4K'],
    defaultSize: '2048x2048',
    pixelRange: [3_686_400, 16_777_216],
    aspectRange: WIDE,
    maxReferenceImages: 14,
    requiresReferenceImage: false,
    inputFormats: ALL_FORMATS,
    inputMinSide: 15,
    inputAspectRange: WIDE,
    inputMaxPixels: 36_000_000,
    sequential: true,
    stream: true,
    outputFormat: true,
    optimizePromptModes: ['standard'],
    webSearch: true,
    seed: false,
    guidanceScale: false,
    layerDecomposition: false,
    background: false,
  },
  {
    id: 'doubao-seedream-4-5-251128',
    name: 'Seedream 4.5',
    family: '4.5',
    aliases: ['seedream-4-5-251128', 'doubao-seedream-4.5', 'doubao-seedream-4-5'],
    known: true,
    sizePresets: ['2K', '4K'],
    defaultSize: '2048x2048',
    pixelRange: [3_686_400, 16_777_216],
    aspectRange: WIDE,
    maxReferenceImages: 14,
    requiresReferenceImage: false,
    inputFormats: ALL_FORMATS,
    inputMinSide: 15,
    inputAspectRange: WIDE,
    inputMaxPixels: 36_000_000,
    sequential: true,
    stream: true,
    outputFormat: false,
    optimizePromptModes: ['standard'],
    webSearch: false,
    seed: false,
    guidanceScale: false,
    layerDecomposition: false,
    background: false,
  },
  {
    id: 'doubao-seedream-4-0-250828',
    name: 'Seedream 4.0',
    family: '4.0',
    aliases: ['seedream-4-0-250828', 'bytedance-seedream-4-0-250828', 'doubao-seedream-4.0', 'doubao-seedream-4-0'],
    known: true,
    sizePresets: ['1K', '2K', '4K'],
    defaultSize: '2048x2048',
    pixelRange: [921_600, 16_777_216],
    aspectRange: WIDE,
    maxReferenceImages: 14,
    requiresReferenceImage: false,
    inputFormats: ALL_FORMATS,
    inputMinSide: 15,
    inputAspectRange: WIDE,
    inputMaxPixels: 36_000_000,
    sequential: true,
    stream: true,
    outputFormat: false,
    optimizePromptModes: ['standard', 'fast'],
    webSearch: false,
    seed: false,
    guidanceScale: false,
    layerDecomposition: false,
    background: false,
  },
  {
    id: 'doubao-seedream-3-0-t2i-250415',
    name: 'Seedream 3.0 (text to image, legacy)',
    family: '3.0-t2i',
    aliases: ['seedream-3-0-t2i-250415'],
    known: true,
    sizePresets: [],
    defaultSize: '1024x1024',
    // 512–2048 px a side in the legacy doc, expressed as a pixel range (inferred).
    pixelRange: [262_144, 4_194_304],
    aspectRange: WIDE,
    maxReferenceImages: 0,
    requiresReferenceImage: false,
    inputFormats: ALL_FORMATS,
    inputMinSide: 15,
    inputAspectRange: WIDE,
    inputMaxPixels: 36_000_000,
    sequential: false,
    stream: false,
    outputFormat: false,
    optimizePromptModes: [],
    webSearch: false,
    seed: true,
    guidanceScale: true,
    layerDecomposition: false,
    background: false,
  },
  {
    id: 'doubao-seededit-3-0-i2i-250628',
    name: 'SeedEdit 3.0 (image to image, legacy)',
    family: 'seededit-3.0',
    aliases: ['seededit-3-0-i2i-250628', 'bytedance-seedEdit-3.0-i2i'],
    known: true,
    sizePresets: ['adaptive'],
    defaultSize: 'adaptive',
    pixelRange: [262_144, 4_194_304],
    aspectRange: WIDE,
    maxReferenceImages: 1,
    requiresReferenceImage: true,
    inputFormats: ['jpeg', 'png'],
    // The SeedEdit page: aspect ratio within (1/3, 3), sides over 14 px.
    inputMinSide: 15,
    inputAspectRange: [1 / 3, 3],
    inputMaxPixels: 36_000_000,
    sequential: false,
    stream: false,
    outputFormat: false,
    optimizePromptModes: [],
    webSearch: false,
    seed: true,
    guidanceScale: true,
    layerDecomposition: false,
    background: false,
  },
] satisfies ModelCapabilities[]);

/** Limits for ids this table does not know: the union of what any model accepts, so nothing valid is refused. */
export const genericModelCapabilities: ModelCapabilities = Object.freeze<ModelCapabilities>({
  id: '',
  name: 'Unknown model (generic limits)',
  family: 'generic',
  aliases: [],
  known: false,
  sizePresets: ['1K', '1.5K', '2K', '3K', '4K'],
  defaultSize: '2048x2048',
  pixelRange: [262_144, 16_777_216],
  aspectRange: WIDE,
  maxReferenceImages: 14,
  requiresReferenceImage: false,
  inputFormats: ALL_FORMATS,
  inputMinSide: 15,
  inputAspectRange: WIDE,
  inputMaxPixels: 36_000_000,
  sequential: true,
  stream: true,
  outputFormat: true,
  optimizePromptModes: ['standard', 'fast'],
  webSearch: true,
  seed: true,
  guidanceScale: true,
  layerDecomposition: true,
  background: true,
});

/** The default model of `createSeedream` (CometAPI's own examples use it). */
export const DEFAULT_MODEL = 'doubao-seedream-4-5-251128';

/** The most images one request can involve: references plus generated images (docs/api-contract.md §3.4). */
export const MAX_IMAGES_PER_REQUEST = 15;

const byId = new Map<string, ModelCapabilities>();
for (const model of models) {
  for (const id of [model.id, ...model.aliases]) {
    byId.set(id, model);
    byId.set(id.toLowerCase(), model);
  }
}

/**
 * Capabilities of a model id (any known spelling, case-insensitive). Unknown ids, including `ep-…` inference
 * endpoints, get the generic limits with `known: false` and `id` set to the given id.
 */
export function getModelCapabilities(id: string): ModelCapabilities {
  const found = byId.get(id) ?? byId.get(id.toLowerCase());
  if (found) return found;
  return { ...genericModelCapabilities, id };
}

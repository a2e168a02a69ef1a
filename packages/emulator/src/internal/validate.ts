/**
 * The emulator's own check of a generation request against its model table, answering like the provider:
 * the first failing field only, `param` naming it (docs/api-contract.md §6.2). Field order below is the order of checks;
 * decoding reference images (the expensive part) comes last.
 */
import sharp from 'sharp';
import { type ApiError, invalidParameter, missingParameter, unsupportedParameter } from './errors.js';
import { findModel, presetSize, type ModelRules } from './models.js';
import { ratioFromPrompt, sequentialCount } from './prompt-rules.js';
import { decodeDataUri } from './art/reference.js';

export interface GenerationRequest {
  modelId: string;
  model: ModelRules;
  prompt: string;
  images: string[];
  width: number;
  height: number;
  /** How many slots to attempt. */
  count: number;
  sequential: boolean;
  stream: boolean;
  responseFormat: 'url' | 'b64_json';
  watermark: boolean;
  outputFormat: 'png' | 'jpeg';
  webSearch: boolean;
  /** Drives the art even where the model ignores it; -1 when not given. */
  seed: number;
}

export interface ValidationContext {
  rejectUnsupportedParams: boolean;
}

export type Validation = { ok: true; request: GenerationRequest } | { ok: false; error: ApiError };

const IMAGE_FORMATS = ['jpeg', 'jpg', 'png', 'webp', 'bmp', 'tiff', 'gif', 'heic', 'heif'];
const MAX_IMAGE_PIXELS = 36_000_000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

class Reject {
  constructor(readonly error: ApiError) {}
}
const fail = (error: ApiError): never => {
  throw new Reject(error);
};

function checkEnum(param: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && (typeof value !== 'string' || !allowed.includes(value))) {
    fail(invalidParameter(param, `\`${param}\` must be one of: ${allowed.join(', ')}`));
  }
}

function checkBoolean(param: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(invalidParameter(param, `\`${param}\` must be a boolean`));
}

function parseSize(model: ModelRules, size: unknown, prompt: string): [number, number] {
  const requested = size ?? model.defaultSize;
  if (typeof requested !== 'string') return fail(invalidParameter('size', '`size` must be a string'));
  if (requested === 'adaptive') {
    if (model.family === 'seededit-3.0') return [1024, 1024];
    return fail(invalidParameter('size', `\`size\` adaptive is not supported by the current model`));
  }
  const preset = presetSize(model, requested.toUpperCase(), ratioFromPrompt(prompt));
  if (preset) return preset;
  const exact = /^(\d{1,6})x(\d{1,6})$/.exec(requested);
  if (!exact) {
    const presets = Object.keys(model.presets);
    const forms = presets.length > 0 ? `one of ${presets.join(', ')} or <width>x<height>` : '<width>x<height>';
    return fail(invalidParameter('size', `\`size\` must be ${forms}, got \`${requested}\``));
  }
  const [width, height] = [Number(exact[1]), Number(exact[2])];
  const [minPixels, maxPixels] = model.pixels;
  const pixels = width * height;
  if (pixels < minPixels || pixels > maxPixels) {
    fail(
      invalidParameter(
        'size',
        `the total pixels of \`size\` (${width}x${height} = ${pixels}) must be in [${minPixels}, ${maxPixels}]; the minimum is ${minPixels}`,
      ),
    );
  }
  const ratio = width / height;
  if (height === 0 || ratio < model.aspect[0] || ratio > model.aspect[1]) {
    fail(invalidParameter('size', `the aspect ratio (width/height) of \`size\` must be in [1/16, 16], got ${width}x${height}`));
  }
  return [width, height];
}

function structuralImageCheck(model: ModelRules, image: unknown): string[] {
  if (image === undefined) {
    if (model.requiresImage) fail(missingParameter('image'));
    return [];
  }
  const images = typeof image === 'string' ? [image] : image;
  if (!Array.isArray(images) || images.some((item) => typeof item !== 'string')) {
    return fail(invalidParameter('image', '`image` must be a string or an array of strings'));
  }
  if (model.maxReferenceImages === 0) fail(unsupportedParameter('image'));
  if (images.length === 0) fail(invalidParameter('image', '`image` must not be empty'));
  if (images.length > model.maxReferenceImages) {
    fail(invalidParameter('image', `the number of reference images cannot exceed ${model.maxReferenceImages}`));
  }
  if (model.requiresImage && images.length !== 1) fail(invalidParameter('image', 'exactly one input image is required'));
  for (const item of images as string[]) {
    if (/^https?:\/\//i.test(item)) continue;
    const header = /^data:image\/([^;,]+);base64,/.exec(item);
    if (!header) fail(invalidParameter('image', 'each `image` must be an http(s) URL or a data URI `data:image/<format>;base64,<data>`'));
    const format = (header as RegExpExecArray)[1] as string;
    if (format !== format.toLowerCase()) fail(invalidParameter('image', `the image format in the data URI must be lower case, got \`${format}\``));
    if (!IMAGE_FORMATS.includes(format)) fail(invalidParameter('image', `unsupported image format \`${format}\``));
  }
  return images as string[];
}

async function decodeImageCheck(model: ModelRules, images: readonly string[]): Promise<void> {
  for (const item of images) {
    const decoded = item.startsWith('data:') ? decodeDataUri(item) : undefined;
    if (!decoded) continue; // URLs: the provider fetches them; the emulator cannot check them offline
    if (decoded.bytes.byteLength > model.maxImageBytes) {
      fail(invalidParameter('image', `the image file size must not exceed ${model.maxImageBytes / 1024 / 1024} MB`));
    }
    let width = 0;
    let height = 0;
    try {
      const meta = await sharp(decoded.bytes, { limitInputPixels: false }).metadata();
      width = meta.width ?? 0;
      height = meta.height ?? 0;
    } catch {
      fail(invalidParameter('image', 'the input image could not be decoded'));
    }
    if (width <= 14 || height <= 14) fail(invalidParameter('image', `each side of the input image must be greater than 14 px, got ${width}x${height}`));
    const ratio = width / height;
    if (ratio < 1 / 16 || ratio > 16) fail(invalidParameter('image', `the aspect ratio of the input image must be in [1/16, 16], got ${width}x${height}`));
    if (width * height > MAX_IMAGE_PIXELS) fail(invalidParameter('image', `the input image must not exceed ${MAX_IMAGE_PIXELS} pixels`));
  }
}

async function check(body: unknown, context: ValidationContext): Promise<GenerationRequest> {
  if (!isObject(body)) return fail(invalidParameter('', 'the request body must be a JSON object'));

  const modelId = body.model;
  if (modelId === undefined || modelId === null || modelId === '') {
    fail({ ...missingParameter('model'), comet: { code: '', message: 'model name is required' } });
  }
  if (typeof modelId !== 'string') return fail(invalidParameter('model', '`model` must be a string'));
  const model = findModel(modelId);
  if (!model) {
    return fail({
      status: 404,
      code: 'InvalidEndpointOrModel.NotFound',
      message: `The model or endpoint ${modelId} does not exist or you do not have access to it`,
      comet: { code: 'model_not_found', message: `model ${modelId} not found or no available channel` },
    });
  }

  const layerMode = body.layer_decomposition === true && model.layerDecomposition;
  const prompt = body.prompt;
  if (prompt !== undefined && typeof prompt !== 'string') fail(invalidParameter('prompt', '`prompt` must be a string'));
  if ((prompt === undefined || (prompt as string).trim() === '') && !layerMode) fail(missingParameter('prompt'));

  const images = structuralImageCheck(model, body.image);
  const promptText = (prompt as string | undefined) ?? '';
  const [width, height] = parseSize(model, body.size, promptText);

  checkEnum('sequential_image_generation', body.sequential_image_generation, ['auto', 'disabled']);
  const sequential = body.sequential_image_generation === 'auto';
  if (sequential && !model.sequential) fail(unsupportedParameter('sequential_image_generation'));
  const options = body.sequential_image_generation_options;
  let maxImages: number | undefined;
  if (options !== undefined) {
    if (!isObject(options)) fail(invalidParameter('sequential_image_generation_options', '`sequential_image_generation_options` must be an object'));
    const max = (options as Record<string, unknown>).max_images;
    if (max !== undefined && (!isInteger(max) || max < 1 || max > 15)) {
      fail(invalidParameter('sequential_image_generation_options.max_images', '`max_images` must be an integer in [1, 15]'));
    }
    maxImages = max as number | undefined;
  }

  checkBoolean('stream', body.stream);
  if (body.stream === true && !model.stream) fail(unsupportedParameter('stream'));
  checkEnum('response_format', body.response_format, ['url', 'b64_json']);
  checkBoolean('watermark', body.watermark);

  let outputFormat: 'png' | 'jpeg' = 'jpeg';
  if (body.output_format !== undefined) {
    if (model.outputFormat) {
      checkEnum('output_format', body.output_format, ['jpeg', 'png']);
      outputFormat = body.output_format as 'png' | 'jpeg';
    } else if (context.rejectUnsupportedParams) {
      fail(unsupportedParameter('output_format'));
    }
  }

  const promptOptions = body.optimize_prompt_options;
  if (promptOptions !== undefined) {
    if (model.promptModes.length === 0) fail(unsupportedParameter('optimize_prompt_options'));
    if (!isObject(promptOptions)) fail(invalidParameter('optimize_prompt_options', '`optimize_prompt_options` must be an object'));
    const mode = (promptOptions as Record<string, unknown>).mode;
    checkEnum('optimize_prompt_options.mode', mode, ['standard', 'fast']);
    if (mode !== undefined && !model.promptModes.includes(mode as string)) {
      fail(invalidParameter('optimize_prompt_options.mode', `optimize_prompt_options.mode must be ${model.promptModes.map((m) => `'${m}'`).join(' or ')}`));
    }
  }

  let webSearch = false;
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools) || body.tools.some((tool) => !isObject(tool) || tool.type !== 'web_search')) {
      fail(invalidParameter('tools', '`tools` must be an array of {"type":"web_search"}'));
    }
    if (!model.webSearch) fail(unsupportedParameter('tools'));
    webSearch = (body.tools as unknown[]).length > 0;
  }

  const seed = body.seed;
  if (seed !== undefined) {
    if (model.seedAndGuidance || context.rejectUnsupportedParams) {
      if (!model.seedAndGuidance) fail(unsupportedParameter('seed'));
      if (!isInteger(seed) || seed < -1 || seed > 2147483647) fail(invalidParameter('seed', '`seed` must be an integer in [-1, 2147483647]'));
    }
  }
  const guidance = body.guidance_scale;
  if (guidance !== undefined && (model.seedAndGuidance || context.rejectUnsupportedParams)) {
    if (!model.seedAndGuidance) fail(unsupportedParameter('guidance_scale'));
    if (typeof guidance !== 'number' || guidance < 1 || guidance > 10) fail(invalidParameter('guidance_scale', '`guidance_scale` must be a number in [1, 10]'));
  }

  checkBoolean('layer_decomposition', body.layer_decomposition);
  if (body.layer_decomposition === true) {
    if (!model.layerDecomposition) fail(unsupportedParameter('layer_decomposition'));
    if (images.length !== 1) fail(invalidParameter('image', 'layer decomposition needs exactly one input image'));
  }
  checkEnum('background', body.background, ['transparent', 'opaque']);
  if (body.background !== undefined) {
    if (!model.layerDecomposition) fail(unsupportedParameter('background'));
    if (body.background === 'transparent') {
      if (body.output_format === 'jpeg') fail(invalidParameter('output_format', '`background: transparent` needs `output_format: png`'));
      if (images.length !== 1) fail(invalidParameter('image', '`background: transparent` needs exactly one input PNG'));
      outputFormat = 'png';
    }
  }

  await decodeImageCheck(model, images);

  const maxCount = sequential ? sequentialCount(promptText, maxImages, images.length) : 1;
  return {
    modelId,
    model,
    prompt: promptText,
    images,
    width,
    height,
    count: maxCount,
    sequential,
    stream: body.stream === true,
    responseFormat: body.response_format === 'b64_json' ? 'b64_json' : 'url',
    watermark: body.watermark !== false,
    outputFormat,
    webSearch,
    seed: isInteger(seed) ? seed : -1,
  };
}

export async function validateRequest(body: unknown, context: ValidationContext): Promise<Validation> {
  try {
    return { ok: true, request: await check(body, context) };
  } catch (error) {
    if (error instanceof Reject) return { ok: false, error: error.error };
    throw error;
  }
}

/**
 * Local checks of a generation request, before anything is sent. The shape (types, enums, numeric ranges that
 * hold for every model) is described as data in `internal/shape.ts`; everything model-specific comes from the
 * capability table in `models.ts`. Every problem is reported with its field path, not just the first one.
 */
import { DEFAULT_MODEL, MAX_IMAGES_PER_REQUEST, getModelCapabilities, type ModelCapabilities } from './models.js';
import { binaryKind } from './internal/binary.js';
import { isPlainObject } from './internal/plain-object.js';
import { checkShape } from './internal/shape.js';
import { base64DecodedLength, decodeBase64 } from './internal/base64.js';
import { pictureProblems } from './internal/picture-rules.js';
import { countCodePointsUpTo } from './internal/text-limits.js';
import { sniffImageType } from './internal/sniff.js';
import type { ValidationIssue, ValidationOptions } from './types.js';

/** Default cap on one reference image (decoded bytes): the 4.x limit. 5.x documents 30 MB. */
export const DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Default hard cap on the prompt, in characters. Ours, not the API's (it documents none). */
export const DEFAULT_PROMPT_MAX_LENGTH = 10_000;
const DEFAULT_ADVICE = { maxChars: 1000, maxCjkChars: 300 };

/** Model capabilities with the caller's overrides applied. */
export function resolveCapabilities(model: string, options: ValidationOptions = {}): ModelCapabilities {
  const base = getModelCapabilities(model);
  const override = options.models?.[model] ?? options.models?.[base.id];
  return override ? { ...base, ...override } : base;
}

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/g;

const DATA_URI = /^data:image\/([^;,]*);base64,/;
/** Base64 characters decoded to read a data URI's image header (JPEG headers can sit after a large EXIF block). */
const HEADER_CHARS = 128 * 1024;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

class Collector {
  readonly issues: ValidationIssue[] = [];
  /** Top-level fields that failed the structural check (created only when one did). */
  failed: Set<string> | undefined;
  error(path: string, message: string): void {
    this.issues.push({ path, message, severity: 'error' });
  }
  warn(path: string, message: string): void {
    this.issues.push({ path, message, severity: 'warning' });
  }
  /** True when the field passed the structural check (so model rules may look at it). */
  ok(field: string, value: unknown): boolean {
    return value !== undefined && !this.failed?.has(field);
  }
}

/** What checking reference images needs: the model's rules, the size cap, and where issues go. */
interface ImageCheck {
  caps: ModelCapabilities;
  maxBytes: number;
  out: Collector;
}

function checkImageItem(item: unknown, path: string, { caps, maxBytes, out }: ImageCheck): void {
  const allowed = caps.inputFormats;
  if (typeof item === 'string') {
    if (/^data:/i.test(item)) {
      const header = DATA_URI.exec(item);
      if (!header) {
        out.error(path, 'a data URI must look like data:image/<format>;base64,<data>');
        return;
      }
      const format = header[1] as string;
      const declaredErrors = out.issues.length;
      if (format !== format.toLowerCase()) {
        out.error(path, `the format in a data URI must be lower case: image/${format.toLowerCase()}, not image/${format}`);
      } else if (format === 'jpg') {
        out.error(path, 'use data:image/jpeg (image/jpg is not a MIME type)');
      } else if (!(allowed as readonly string[]).includes(format)) {
        out.error(path, `image/${format} is not accepted by ${caps.id || 'this model'} (allowed: ${allowed.join(', ')})`);
      }
      const body = item.slice(header[0].length);
      if (body.length === 0) out.error(path, 'the data URI holds no data');
      else if (!BASE64_BODY.test(body)) out.error(path, 'the data URI payload is not valid base64');
      else {
        // The header is enough for the dimensions: decode only the start.
        const head = decodeBase64(body.slice(0, HEADER_CHARS));
        const sniffed = sniffImageType(head);
        // The declared type is not trusted: a data URI whose bytes are no image would cost a round trip and a 400.
        if (!sniffed) {
          if (out.issues.length === declaredErrors) out.error(path, `the data URI's bytes are not a recognised image; allowed formats: ${allowed.join(', ')}`);
        } else for (const problem of pictureProblems(head, sniffed.format, caps)) out.error(path, problem);
      }
      const bytes = base64DecodedLength(body);
      if (bytes > maxBytes) out.error(path, `the image is ${bytes} bytes; the limit is ${maxBytes} bytes`);
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      out.error(path, 'must be an http(s) URL, a data:image/<format>;base64 URI, or image bytes');
    }
    return;
  }
  const kind = binaryKind(item);
  if (!kind) {
    out.error(path, 'must be an http(s) URL, a data URI, or image bytes (Uint8Array, ArrayBuffer, Blob, File)');
    return;
  }
  const size = kind === 'blob' ? (item as Blob).size : (item as ArrayBuffer | Uint8Array).byteLength;
  if (size === 0) out.error(path, 'the image is empty');
  if (size > maxBytes) out.error(path, `the image is ${size} bytes; the limit is ${maxBytes} bytes`);
  if (kind === 'blob' || size === 0) return; // a Blob's bytes are sniffed when it is read, before sending
  const bytes = kind === 'uint8array' ? (item as Uint8Array) : new Uint8Array(item as ArrayBuffer);
  const sniffed = sniffImageType(bytes);
  if (!sniffed) out.error(path, `not a recognised image; allowed formats: ${allowed.join(', ')}`);
  else if (!(allowed as readonly string[]).includes(sniffed.format)) {
    out.error(path, `${sniffed.format} images are not accepted by ${caps.id || 'this model'} (allowed: ${allowed.join(', ')})`);
  } else {
    for (const problem of pictureProblems(bytes, sniffed.format, caps)) out.error(path, problem);
  }
}

/** Checks `image` and returns how many references there are. */
function checkImages(image: unknown, check: ImageCheck): number {
  const { caps, out } = check;
  if (image === undefined) {
    if (caps.requiresReferenceImage) out.error('image', `${caps.id} needs exactly one reference image`);
    return 0;
  }
  const list = Array.isArray(image) ? image : [image];
  if (Array.isArray(image) && image.length === 0) out.error('image', 'an empty array; omit `image` instead');
  if (caps.maxReferenceImages === 0) {
    out.error('image', `${caps.id} takes no reference images`);
  } else if (list.length > caps.maxReferenceImages) {
    out.error('image', `at most ${caps.maxReferenceImages} reference images for ${caps.id || 'this model'}; got ${list.length}`);
  } else if (caps.requiresReferenceImage && list.length !== 1) {
    out.error('image', `${caps.id} needs exactly one reference image`);
  }
  list.forEach((item, index) => {
    checkImageItem(item, Array.isArray(image) ? `image[${index}]` : 'image', check);
  });
  return list.length;
}

/** `"<W>x<H>"` (digits, a lower-case ASCII x, digits; at most 9 digits a side) → [W, H], else undefined. */
function exactSize(size: string): [number, number] | undefined {
  const x = size.indexOf('x');
  if (x < 1 || x > 9 || size.length - x - 1 < 1 || size.length - x - 1 > 9) return undefined;
  let width = 0;
  let height = 0;
  for (let i = 0; i < size.length; i++) {
    if (i === x) continue;
    const digit = size.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    if (i < x) width = width * 10 + digit;
    else height = height * 10 + digit;
  }
  return [width, height];
}

function checkSize(size: string, caps: ModelCapabilities, layerMode: boolean, out: Collector): void {
  const presets = caps.sizePresets;
  for (let i = 0; i < presets.length; i++) {
    const preset = presets[i]!;
    if (preset.length === size.length && preset.toLowerCase() === size.toLowerCase()) return;
  }
  if (layerMode && caps.layerDecomposition && size.toLowerCase() === 'auto') return;
  const exact = exactSize(size);
  if (!exact) {
    const forms = presets.length > 0 ? `one of ${presets.join(', ')} or ` : '';
    const hint = /^\d+\s*[X×*]\s*\d+$/.test(size) ? ' (write the size as <W>x<H> with a lower-case ASCII x)' : '';
    out.error('size', `must be ${forms}"<W>x<H>" for ${caps.id || 'this model'}; got "${size}"${hint}`);
    return;
  }
  if (layerMode) out.error('size', '`layer_decomposition` takes a preset size or "auto", not an exact size');
  const width = exact[0];
  const height = exact[1];
  if (width === 0 || height === 0) {
    out.error('size', 'width and height must be positive');
    return;
  }
  const pixels = width * height;
  const minPixels = caps.pixelRange[0];
  const maxPixels = caps.pixelRange[1];
  if (pixels < minPixels || pixels > maxPixels) {
    out.error('size', `${width}x${height} is ${pixels} pixels; ${caps.id || 'this model'} takes ${minPixels}–${maxPixels}`);
  }
  const ratio = width / height;
  if (ratio < caps.aspectRange[0] || ratio > caps.aspectRange[1]) out.error('size', `aspect ratio ${width}:${height} is outside [1/16, 16]`);
}

function undocumented(field: string, policy: 'warn' | 'error' | 'allow', caps: ModelCapabilities, out: Collector): void {
  if (policy === 'allow') return;
  const message = `\`${field}\` is documented only for Seedream 3.0 and SeedEdit 3.0; ${caps.id} may ignore or reject it`;
  if (policy === 'error') out.error(field, message);
  else out.warn(field, message);
}

function checkUnsupported(field: string, supported: boolean, caps: ModelCapabilities, out: Collector): void {
  if (!supported) out.error(field, `\`${field}\` is not supported by ${caps.id}`);
}

/**
 * Every problem of a generation request, each with its field path and severity; an empty array (or only
 * warnings) means the request may be sent. Pure: no network, no clock, never throws.
 */
export function validateParams(params: unknown, options: ValidationOptions = {}): ValidationIssue[] {
  if (!isPlainObject(params)) return [{ path: '', message: 'params must be an object', severity: 'error' }];

  const out = new Collector();
  out.failed = checkShape(params, out.issues);

  const modelId = typeof params.model === 'string' && params.model ? params.model : (options.defaultModel ?? DEFAULT_MODEL);
  const caps = resolveCapabilities(modelId, options);
  const maxBytes = options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  const layerMode = params.layer_decomposition === true;

  // prompt
  if (params.prompt === undefined) {
    if (!(layerMode && caps.layerDecomposition)) out.error('prompt', '`prompt` is required');
  } else if (out.ok('prompt', params.prompt)) {
    const prompt = params.prompt as string;
    const hardLimit = options.promptMaxLength ?? DEFAULT_PROMPT_MAX_LENGTH;
    if (!/\S/.test(prompt) && !(layerMode && caps.layerDecomposition)) out.error('prompt', '`prompt` must not be empty');
    // Counted only up to the limit: a hostile 100-million-character prompt costs no more than a long one.
    const length = countCodePointsUpTo(prompt, hardLimit);
    if (length > hardLimit) out.error('prompt', `the prompt has more than ${hardLimit} characters (validation.promptMaxLength)`);
    else if (options.promptAdvice !== false) {
      const maxChars = options.promptAdvice?.maxChars ?? DEFAULT_ADVICE.maxChars;
      const maxCjkChars = options.promptAdvice?.maxCjkChars ?? DEFAULT_ADVICE.maxCjkChars;
      const cjk = prompt.length > maxCjkChars ? (prompt.match(CJK)?.length ?? 0) : 0;
      if (length > maxChars || cjk > maxCjkChars) {
        out.warn('prompt', `the provider advises at most ${maxChars} characters (${maxCjkChars} CJK characters); longer prompts may lose detail`);
      }
    }
  }

  const references = checkImages(params.image, { caps, maxBytes, out });

  if (out.ok('size', params.size)) checkSize(params.size as string, caps, layerMode, out);

  if (out.ok('sequential_image_generation', params.sequential_image_generation) && params.sequential_image_generation === 'auto') {
    checkUnsupported('sequential_image_generation', caps.sequential, caps, out);
  }
  const sequentialOptions = params.sequential_image_generation_options as { max_images?: number } | undefined;
  if (out.ok('sequential_image_generation_options', sequentialOptions) && sequentialOptions?.max_images !== undefined) {
    const maxImages = sequentialOptions.max_images;
    if (references + maxImages > MAX_IMAGES_PER_REQUEST) {
      out.error(
        'sequential_image_generation_options.max_images',
        `${references} reference image(s) + max_images ${maxImages} exceeds ${MAX_IMAGES_PER_REQUEST}; use max_images ≤ ${Math.max(0, MAX_IMAGES_PER_REQUEST - references)}`,
      );
    }
    if (params.sequential_image_generation !== 'auto') {
      out.warn('sequential_image_generation_options.max_images', 'ignored unless `sequential_image_generation` is "auto"');
    }
  }

  if (out.ok('stream', params.stream) && params.stream === true) checkUnsupported('stream', caps.stream, caps, out);
  if (out.ok('output_format', params.output_format)) checkUnsupported('output_format', caps.outputFormat, caps, out);

  const optimize = params.optimize_prompt_options as { mode?: 'standard' | 'fast' } | undefined;
  if (out.ok('optimize_prompt_options', optimize)) {
    if (caps.optimizePromptModes.length === 0) checkUnsupported('optimize_prompt_options', false, caps, out);
    else if (optimize?.mode !== undefined && !caps.optimizePromptModes.includes(optimize.mode)) {
      out.error('optimize_prompt_options.mode', `${caps.id} takes mode ${caps.optimizePromptModes.map((mode) => `"${mode}"`).join(' or ')}`);
    }
  }

  if (out.ok('tools', params.tools) && (params.tools as unknown[]).length > 0) checkUnsupported('tools', caps.webSearch, caps, out);

  const seedPolicy = options.seedAndGuidance ?? 'warn';
  if (out.ok('seed', params.seed) && !caps.seed) undocumented('seed', seedPolicy, caps, out);
  if (out.ok('guidance_scale', params.guidance_scale) && !caps.guidanceScale) undocumented('guidance_scale', seedPolicy, caps, out);

  if (out.ok('layer_decomposition', params.layer_decomposition) && layerMode) {
    checkUnsupported('layer_decomposition', caps.layerDecomposition, caps, out);
    if (caps.layerDecomposition && references !== 1) out.error('image', '`layer_decomposition` needs exactly one reference image');
  }

  if (out.ok('background', params.background)) {
    checkUnsupported('background', caps.background, caps, out);
    if (caps.background && params.background === 'transparent') {
      if (references !== 1) out.error('image', '`background: "transparent"` needs exactly one PNG reference image');
      if (params.output_format === 'jpeg') out.error('output_format', '`background: "transparent"` needs `output_format: "png"`');
    }
  }

  if (params.n !== undefined) {
    out.warn('n', 'Seedream has no `n`; ask for several images with sequential_image_generation: "auto" and max_images');
  }

  return out.issues;
}

/** True when the issues hold at least one error (warnings alone do not block a request). */
export function hasValidationErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

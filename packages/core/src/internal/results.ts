/** Maps the wire's response (`data[]`, stream events) onto `GenerateResult` and its images. */
import { APIError } from '../errors.js';
import type { FailedImage, GenerateResult, GeneratedImage, ImageError, SucceededImage, Usage } from '../types.js';
import { createAPIError, providerErrorOf, requestIdOf, scrubResultStrings, scrubSecret } from './api-errors.js';
import { decodeBase64 } from './base64.js';
import { isPlainObject } from './plain-object.js';

/** `"2048x2048"` (also `X`, `*` and `×`, as in the docs' prose) → width and height. */
export function parseSize(size: unknown): { width: number; height: number } | undefined {
  if (typeof size !== 'string') return undefined;
  let split = -1;
  for (let i = 0; i < size.length; i++) {
    const code = size.charCodeAt(i);
    if (code === 0x78 || code === 0x58 || code === 0xd7 || code === 0x2a) {
      split = i;
      break;
    }
  }
  if (split <= 0) return undefined;
  const width = Number(size.slice(0, split));
  const height = Number(size.slice(split + 1));
  return Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 ? { width, height } : undefined;
}

const IMAGE_KEYS = new Set(['url', 'b64_json', 'size', 'output_format', 'error', 'type', 'model', 'created', 'image_index']);
const RESULT_KEYS = new Set(['model', 'created', 'created_at', 'data', 'usage', 'tools', 'error']);

/** A failed slot's error, with the key scrubbed (a hostile proxy may echo it into any text it returns). */
function imageError(value: unknown, apiKey: string | undefined): ImageError {
  const error = isPlainObject(value) ? value : {};
  return {
    code: scrubSecret(typeof error.code === 'string' ? error.code : String(error.code ?? 'unknown'), apiKey),
    message: scrubSecret(typeof error.message === 'string' ? error.message : '', apiKey),
  };
}

/**
 * One slot. `b64_json` is a string (decoded here) or, from the streaming body reader, the index of bytes it
 * already decoded.
 */
export function toImage(item: unknown, index: number, decoded?: readonly Uint8Array[], apiKey?: string): GeneratedImage {
  const slot = isPlainObject(item) ? item : {};
  if (slot.error !== undefined && slot.error !== null && slot.url === undefined && slot.b64_json === undefined) {
    return { index, error: imageError(slot.error, apiKey) } satisfies FailedImage;
  }
  const image: SucceededImage = { index };
  if (typeof slot.url === 'string') image.url = slot.url;
  if (typeof slot.b64_json === 'number' && decoded) image.bytes = decoded[slot.b64_json];
  else if (typeof slot.b64_json === 'string') image.bytes = decodeBase64(slot.b64_json);
  if (typeof slot.size === 'string') {
    image.size = slot.size;
    const parsed = parseSize(slot.size);
    if (parsed) {
      image.width = parsed.width;
      image.height = parsed.height;
    }
  }
  if (typeof slot.output_format === 'string') image.output_format = slot.output_format;
  let extra: Record<string, unknown> | undefined;
  for (const key in slot) {
    if (!IMAGE_KEYS.has(key)) (extra ??= {})[key] = slot[key];
  }
  if (extra) image.extra = extra;
  return image;
}

/** `usage` as sent, with `generated_images` filled in from the images when a gateway dropped it. */
export function toUsage(value: unknown, images: readonly GeneratedImage[]): Usage | undefined {
  if (!isPlainObject(value)) return undefined;
  if (typeof value.generated_images === 'number') return value as Usage;
  return { ...value, generated_images: images.filter((image) => !image.error).length } as Usage;
}

export function toTools(value: unknown): Array<{ type: string }> | undefined {
  return Array.isArray(value) ? (value as Array<{ type: string }>) : undefined;
}

/** What `toResult` needs besides the body. */
export interface ResultContext {
  headers: Headers;
  /** The model asked for: the result's `model` when the body names none. */
  model: string;
  /** Scrubbed from error texts. */
  apiKey: string | undefined;
  /** Images the streaming body reader already decoded (`b64_json` then holds an index into this). */
  decoded?: readonly Uint8Array[] | undefined;
  /** Default: read from `headers`. */
  requestId?: string | undefined;
  /** False when the body's JSON text was checked (`jsonMayHoldSecret`) and no string in it can hold the key: the
   *  walk that scrubs it is skipped. Default true. */
  bodyMayHoldSecret?: boolean | undefined;
}

/**
 * The result of a non-streaming answer. A 200 whose body holds a top-level `error` and no images is an error
 * (docs/api-contract.md §4.1), thrown as the matching APIError.
 */
export function toResult(answerBody: unknown, answer: ResultContext): GenerateResult {
  const { headers, model: requestedModel, apiKey, decoded } = answer;
  const body = answer.bodyMayHoldSecret === false ? answerBody : scrubResultStrings(answerBody, apiKey);
  const requestId = answer.requestId ?? requestIdOf(headers);
  if (!isPlainObject(body)) {
    throw new APIError({ status: 200, message: 'The response body is not a JSON object', headers, requestId });
  }
  const data = body.data;
  const hasImages = Array.isArray(data) && data.length > 0;
  const providerError = hasImages ? undefined : providerErrorOf(body);
  if (providerError) throw createAPIError({ status: 200, headers, error: providerError, body, apiKey, context: 'error in a 200 response:' });
  if (!Array.isArray(data)) {
    throw new APIError({ status: 200, message: 'The response holds neither `data` nor `error`', headers, requestId, body });
  }
  const images = data.map((item, index) => toImage(item, index, decoded, apiKey));
  const result: GenerateResult = {
    images,
    model: typeof body.model === 'string' ? body.model : requestedModel,
    created: typeof body.created === 'number' ? body.created : typeof body.created_at === 'number' ? body.created_at : 0,
    headers,
  };
  const usage = toUsage(body.usage, images);
  if (usage) result.usage = usage;
  const tools = toTools(body.tools);
  if (tools) result.tools = tools;
  if (requestId) result.requestId = requestId;
  let extra: Record<string, unknown> | undefined;
  for (const key in body) {
    if (!RESULT_KEYS.has(key)) (extra ??= {})[key] = body[key];
  }
  if (extra) result.extra = extra;
  return result;
}

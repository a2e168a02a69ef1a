/**
 * Public request/response types of @seedream-kit/core. Field names follow the wire (snake_case) so the
 * provider's own examples work as written.
 */
import type { ModelCapabilities } from './models.js';

/** A reference image: an http(s) URL, a `data:image/<fmt>;base64,…` URI, or raw bytes (File is a Blob). */
export type ImageInput = string | Uint8Array | ArrayBuffer | Blob;

export type SequentialImageGeneration = 'auto' | 'disabled';
export type ResponseFormat = 'url' | 'b64_json';
export type OutputFormat = 'png' | 'jpeg';

export interface GenerateParams {
  /** Model id; falls back to the client's default model. */
  model?: string;
  prompt: string;
  /** One reference image or several (up to the model's limit, 14 for most models). */
  image?: ImageInput | ImageInput[];
  /** A preset such as `"2K"` or an exact `"<W>x<H>"`. */
  size?: string;
  seed?: number;
  sequential_image_generation?: SequentialImageGeneration;
  sequential_image_generation_options?: { max_images?: number };
  stream?: boolean;
  guidance_scale?: number;
  response_format?: ResponseFormat;
  watermark?: boolean;
  output_format?: OutputFormat;
  optimize_prompt_options?: { mode?: 'standard' | 'fast' };
  tools?: Array<{ type: 'web_search' }>;
  layer_decomposition?: boolean;
  background?: 'transparent' | 'opaque';
  /** Unknown fields pass through to the wire untouched. */
  [extra: string]: unknown;
}

export interface ImageError {
  code: string;
  message: string;
}

/** One slot of a generation: either an image or, in a sequence, the error that replaced it. */
export type GeneratedImage = SucceededImage | FailedImage;

export interface SucceededImage {
  index: number;
  /** Signed URL, byte-exact as the API returned it (never re-encode it). */
  url?: string;
  /** Decoded image bytes, when `response_format` was `b64_json`. */
  bytes?: Uint8Array;
  /** `"<W>x<H>"` as reported by the API. */
  size?: string;
  width?: number;
  height?: number;
  output_format?: string;
  error?: undefined;
  /** Every other field the API sent for this slot (e.g. `z_index`, `name`, `bounding_box` in layer mode). */
  extra?: Record<string, unknown>;
}

export interface FailedImage {
  index: number;
  error: ImageError;
  url?: undefined;
  bytes?: undefined;
}

export interface Usage {
  generated_images: number;
  output_tokens?: number;
  total_tokens?: number;
  input_images?: number;
  tool_usage?: { web_search?: number };
  [extra: string]: unknown;
}

export interface GenerateResult {
  images: GeneratedImage[];
  usage?: Usage;
  model: string;
  created: number;
  tools?: Array<{ type: string }>;
  /** `x-request-id` of the response (or the id found in an error message). */
  requestId?: string;
  headers: Headers;
  /** Top-level response fields this version does not know about, passed through untouched. */
  extra?: Record<string, unknown>;
}

export type ImageStreamEvent =
  | {
      type: 'image_generation.partial_succeeded';
      model: string;
      created: number;
      image_index: number;
      url?: string;
      size?: string;
      /** The slot as a result image (bytes decoded when b64_json was asked for). */
      image: SucceededImage;
    }
  | {
      type: 'image_generation.partial_failed';
      model: string;
      created: number;
      image_index: number;
      error: ImageError;
      image: FailedImage;
    }
  | {
      type: 'image_generation.completed';
      model: string;
      created: number;
      usage?: Usage;
      tools?: Array<{ type: string }>;
    };

/** What `generate({ stream: true })` resolves to once the response headers arrived with status 200. */
export interface ImageStream extends AsyncIterable<ImageStreamEvent> {
  readonly requestId?: string;
  readonly headers: Headers;
  /** Cancels the HTTP request. Breaking out of a `for await` loop does the same. */
  abort(): void;
  /** Consumes the stream and returns the collected result (images in index order). */
  finalResult(): Promise<GenerateResult>;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overall deadline for this call, in ms. */
  timeout?: number;
  headers?: Record<string, string>;
  maxRetries?: number;
  /** Longest silence allowed between two stream events, in ms (overrides the client's). */
  streamIdleTimeout?: number;
  /** Retry tuning for this call (merged over the client's). */
  retry?: RetryOptions;
}

/**
 * Failures that may already have been billed. Retrying them can pay for the same images twice, so each needs
 * an explicit opt-in:
 * - `'server-error'`: any 5xx answer (the provider may have generated, and billed, some images first);
 * - `'connection-lost'`: the connection broke after the request was sent (reset, truncated response);
 * - a number: that exact HTTP status.
 */
export type UnsafeRetryCondition = 'server-error' | 'connection-lost' | number;

export interface RetryOptions {
  /** First backoff delay in ms (doubled per attempt, with jitter). Default 500. */
  initialDelay?: number;
  /** Longest backoff delay in ms. Default 8 000. */
  maxDelay?: number;
  /** A `Retry-After` longer than this (ms) is not waited for: the RateLimitError is thrown. Default 60 000. */
  maxRetryAfter?: number;
  /** Opt in to retrying failures that may have been billed. Default none. */
  unsafeRetryOn?: readonly UnsafeRetryCondition[];
}

/** One problem found by `validateParams`, with the path of the field (`size`, `image[3]`, `tools[0].type`). */
export interface ValidationIssue {
  path: string;
  message: string;
  /** `'error'` blocks the request; `'warning'` is advice (e.g. a prompt longer than the provider recommends). */
  severity: 'error' | 'warning';
}

export interface ValidationOptions {
  /** Model whose rules apply when `params.model` is missing. Default: the client's default model. */
  defaultModel?: string;
  /** Largest reference image in bytes (decoded). Default 10 MiB (the 4.x limit; 5.x documents 30 MB). */
  maxImageBytes?: number;
  /** Hard cap on the prompt length in characters (code points); longer prompts are refused. Default 10 000.
   *  The API documents no hard maximum; this guards against sending megabytes by mistake. */
  promptMaxLength?: number;
  /** Soft caps: a warning when the prompt exceeds the provider's advice (≤ 1 000 characters, ≤ 300 CJK
   *  characters). `false` turns the advice off. */
  promptAdvice?: { maxChars?: number; maxCjkChars?: number } | false;
  /** `seed` / `guidance_scale` on models that do not document them (4.x, 5.x): whether the API ignores or
   *  rejects them is unknown. Default `'warn'`. */
  seedAndGuidance?: 'warn' | 'error' | 'allow';
  /** Overrides of the capability table, by model id (merged over the built-in entry or the generic limits). */
  models?: Record<string, Partial<ModelCapabilities>>;
}

export interface SeedreamOptions {
  /** Defaults to `process.env.COMETAPI_KEY`, read at the first request, never at import. `null` sends no
   *  `Authorization` header (a same-origin proxy that adds the key itself). */
  apiKey?: string | null;
  /** Defaults to `process.env.COMETAPI_BASE_URL` or `https://api.cometapi.com/v1`. */
  baseURL?: string;
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
  /** Overall deadline per call in ms. Image generation takes 25–150 s; default 600 000. */
  timeout?: number;
  /** Longest silence allowed between two stream events, in ms. */
  streamIdleTimeout?: number;
  /** Default 0: a generation is paid and not idempotent. */
  maxRetries?: number;
  /** Default model id (`doubao-seedream-4-5-251128`). */
  model?: string;
  /** Allow a client holding an API key in a browser. The key is then visible to every visitor. */
  dangerouslyAllowBrowser?: boolean;
  /** Retry tuning; retries happen only when `maxRetries > 0`. */
  retry?: RetryOptions;
  /** Local checks before sending; `false` sends every request as given. */
  validation?: ValidationOptions | false;
  /** Receives warnings found by validation (e.g. a prompt longer than the provider advises). */
  onWarning?: (issues: ValidationIssue[]) => void;
}

export interface Seedream {
  generate(params: GenerateParams & { stream: true }, options?: RequestOptions): Promise<ImageStream>;
  generate(params: GenerateParams & { stream?: false }, options?: RequestOptions): Promise<GenerateResult>;
  generate(params: GenerateParams, options?: RequestOptions): Promise<GenerateResult | ImageStream>;
}

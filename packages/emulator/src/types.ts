/** Public option, handle and request-log types of @seedream-kit/emulator. */

/** Per-image latency in ms: fixed, uniform in [min, max], or normal (clamped at 0). */
export type LatencyOption = number | { min: number; max: number } | { mean: number; sd: number };

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Accepted Bearer keys. Default: any non-empty key. */
  apiKeys?: string[];
  /** Per-image latency (default 0). Random forms draw from a PRNG seeded with `randomSeed`. */
  latency?: LatencyOption;
  /** Seed of the latency PRNG (default 1), so runs are reproducible. */
  randomSeed?: number;
  /** Server-wide faults, same syntax as the `x-emulator-fault` header; applied to every generation request. */
  faults?: string;
  /** Lifetime of result URLs in ms (default 24 h). Afterwards they answer 403 AccessDenied. */
  urlLifetimeMs?: number;
  /** `seed` / `guidance_scale` (and `output_format` on 4.x) on models that do not support them: 400 when true,
   *  accepted and ignored when false (default). */
  rejectUnsupportedParams?: boolean;
  /** Error body style on the /v1 (CometAPI) path. Default `ark`: the provider's bodies, which CometAPI relays. */
  envelope?: 'ark' | 'cometapi';
  /** Upper bound of the in-memory store of served result images, in bytes (default 256 MiB, LRU). */
  imageStoreBytes?: number;
  /** Upper bound of the rendered-art cache, in bytes (default 128 MiB, LRU). */
  artCacheBytes?: number;
  /** How many log entries are kept (oldest dropped first); default 1000. */
  logLimit?: number;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `url + '/v1'`: CometAPI-style base; POST `{baseURL}/images/generations`. */
  readonly baseURL: string;
  /** `url + '/api/v3'`: the Ark provider's base (what `@ai-sdk/bytedance` appends `/images/generations` to). */
  readonly arkBaseURL: string;
  readonly port: number;
  readonly log: RequestLog;
  /** Replace the server-wide faults (`undefined` clears them). Throws on an unknown directive. */
  setFaults(spec: string | undefined): void;
  /** Stops listening, ends open keep-alive and streaming sockets and pending generations. */
  close(): Promise<void>;
}

export type LogEntryKind = 'generation' | 'download' | 'other';

export interface LogEntry {
  /** 1, 2, 3 … in arrival order. */
  id: number;
  kind: LogEntryKind;
  method: string;
  /** Path without the query. */
  path: string;
  /** Path with the raw query, as received. */
  url: string;
  /** Lower-cased request headers; `authorization` redacted to `Bearer ***`. */
  headers: Record<string, string>;
  /** Parsed JSON body with data URIs and long base64 strings shortened; `undefined` without a body. */
  body: unknown;
  /** The effective fault directives (server-wide merged with the header), or undefined. */
  fault: string | undefined;
  /** HTTP status sent; 499 when the client left before a status was sent; 0 for an injected `reset`. */
  status: number;
  /** Images that succeeded (generations only). */
  imagesGenerated: number;
  /** Whether `stream: true` was asked. */
  stream: boolean;
  /** True when the client went away before the response ended. */
  aborted: boolean;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms; undefined while the request is in flight. */
  endedAt: number | undefined;
  /** The `x-request-id` the emulator answered with. */
  requestId: string;
  /** The JSON body answered (b64 data shortened), when the answer was JSON. */
  response: unknown;
  /** Streaming: the SSE event types written, in order (`[DONE]` included). */
  events: string[];
}

export interface RequestLog {
  /** Entries in arrival order (a live array; entries are updated in place until they end). */
  readonly entries: readonly LogEntry[];
  /** Only POSTs to a generations path. */
  generations(): LogEntry[];
  /** Only GETs of result URLs. */
  downloads(): LogEntry[];
  clear(): void;
  /** Resolves with the first entry (existing or future, checked on every update) matching `predicate`;
   *  rejects after `timeoutMs` (default 5000). */
  waitFor(predicate: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
}

/** Input of `renderPlaceholder`: everything the art depends on. */
export interface PlaceholderInput {
  prompt: string;
  width: number;
  height: number;
  /** Default `png`. */
  format?: 'png' | 'jpeg';
  seed?: number;
  /** Position in a sequence (0-based). */
  index?: number;
  model?: string;
  /** Stamp "AI generated" bottom-right (default false here; the server follows the API default, true). */
  watermark?: boolean;
  /** Colours (`#rrggbb`) the palette is built from, e.g. taken from reference images. */
  referenceColors?: string[];
}

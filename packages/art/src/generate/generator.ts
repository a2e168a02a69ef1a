/**
 * Turns requests into images: from the cache when the entry is there and intact, else from the backend
 * (at most `concurrency` at once, identical requests sharing one generation), else — offline — from the
 * offline art or, in strict mode, an error. Framework-free: the Vite glue only calls `resolve`/`lookup`.
 */
import { SeedreamPluginError } from '../errors.js';
import type { CacheEntry } from '../cache/manifest.js';
import type { CacheStore } from '../cache/store.js';
import { createLimit, type Limit } from '../internal/limit.js';
import { describeImage, placeholderFromThumbhash, type ImageFacts } from '../image/describe.js';
import type { Backend } from './backend.js';
import { renderOfflineArt } from './offline-art.js';
import type { ImageRequest } from './request.js';

export type ImageOrigin = 'cache' | 'generated' | 'offline';

export interface ResolvedImage {
  request: ImageRequest;
  bytes: Uint8Array;
  facts: ImageFacts;
  origin: ImageOrigin;
  /** The cache entry (absent for offline art, which is never cached). */
  entry?: CacheEntry;
}

export type Lookup = { status: 'hit'; image: ResolvedImage } | { status: 'miss'; reason: string };

export interface GeneratorLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface GeneratorOptions {
  store: CacheStore;
  /** Absent in offline mode: nothing may reach the network. */
  backend: Backend | undefined;
  strict: boolean;
  concurrency: number;
  log: GeneratorLog;
}

export class ImageGenerator {
  readonly store: CacheStore;
  readonly backend: Backend | undefined;
  readonly #options: GeneratorOptions;
  readonly #limit: Limit;
  readonly #inFlight = new Map<string, Promise<ResolvedImage>>();
  readonly #offlineArt = new Map<string, Promise<ResolvedImage>>();
  #controller = new AbortController();
  #done = 0;

  constructor(options: GeneratorOptions) {
    this.#options = options;
    this.store = options.store;
    this.backend = options.backend;
    this.#limit = createLimit(options.concurrency);
  }

  get offline(): boolean {
    return this.backend === undefined;
  }

  /** Cache only: never generates. A corrupt entry and an entry to upgrade are misses with a reason. */
  async lookup(request: ImageRequest): Promise<Lookup> {
    const read = await this.store.read(request.key);
    if (read.status === 'miss') return { status: 'miss', reason: 'not in the cache' };
    if (read.status === 'corrupt') return { status: 'miss', reason: `corrupt cache entry: ${read.reason}` };
    // Art made by the local emulator (no key at the time) is replaced once a key is there.
    if (read.entry.source === 'emulator' && this.backend?.source === 'api') {
      return { status: 'miss', reason: 'cached art came from the local emulator; generating it with the API' };
    }
    const { entry, bytes } = read;
    return { status: 'hit', image: { request, bytes, facts: factsOf(entry), origin: 'cache', entry } };
  }

  /**
   * What `lookup` would answer from the lock file alone, without reading (or verifying) the image: the entry
   * and its facts when it is recorded and not emulator art due for replacement, else undefined.
   */
  peek(request: ImageRequest): { entry: CacheEntry; facts: ImageFacts } | undefined {
    const entry = this.store.entry(request.key);
    if (!entry || (entry.source === 'emulator' && this.backend?.source === 'api')) return undefined;
    return { entry, facts: factsOf(entry) };
  }

  /** The image for a build: cached, generated, or (offline) the offline art — or an error in strict mode. */
  async resolve(request: ImageRequest): Promise<ResolvedImage> {
    const found = await this.lookup(request);
    if (found.status === 'hit') return found.image;
    if (found.reason.startsWith('corrupt')) this.#options.log.warn(`seedream: ${request.label}: ${found.reason}; regenerating`);
    if (this.offline) return this.offlineFallback(request, found.reason);
    return this.generate(request);
  }

  /** Offline handling of a miss: the offline art with a warning, or an error when strict. */
  offlineFallback(request: ImageRequest, reason: string): Promise<ResolvedImage> {
    const what = `seedream: "${request.label}" is ${reason.startsWith('corrupt') ? reason : 'missing from the cache'}`;
    if (this.#options.strict) {
      throw new SeedreamPluginError(
        `${what} and strict mode forbids the offline art. Build once with network access (and a key) and commit ${this.store.dir}.`,
      );
    }
    this.#options.log.warn(`${what}; using the offline placeholder art (offline mode: nothing is generated)`);
    return this.offlineArt(request);
  }

  /** The offline art for a request (deterministic; rendered once per key). Never written to the cache. */
  offlineArt(request: ImageRequest): Promise<ResolvedImage> {
    let pending = this.#offlineArt.get(request.key);
    if (!pending) {
      pending = (async () => {
        const bytes = await renderOfflineArt(request);
        return { request, bytes, facts: await describeImage(bytes), origin: 'offline' as const };
      })();
      this.#offlineArt.set(request.key, pending);
      pending.catch(() => this.#offlineArt.delete(request.key));
    }
    return pending;
  }

  /** Generates and caches an image; concurrent calls for the same key share one generation. */
  generate(request: ImageRequest): Promise<ResolvedImage> {
    const backend = this.backend;
    if (!backend) return Promise.reject(new SeedreamPluginError('seedream: offline mode, nothing can be generated'));
    let pending = this.#inFlight.get(request.key);
    if (pending) return pending;
    pending = (async () => {
      const started = Date.now();
      const via = backend.source === 'api' ? '' : ' with the local emulator (no API key set)';
      // The limit covers the request only: decoding and writing happen outside it, so the next request
      // starts as soon as an answer arrives.
      const bytes = await this.#limit(() => {
        this.#options.log.info(`seedream: generating "${request.label}"${via}… (${this.#inFlight.size} pending)`);
        return backend.generate(request, this.#controller.signal);
      });
      let facts: ImageFacts;
      try {
        facts = await describeImage(bytes);
      } catch (error) {
        throw new SeedreamPluginError(`seedream: the image generated for "${request.label}" cannot be decoded: ${(error as Error).message}`);
      }
      const entry = await this.store.put(request.key, { bytes, facts, source: backend.source, request: request.canonical });
      this.#done++;
      this.#options.log.info(
        `seedream: generated "${request.label}" ${facts.width}x${facts.height} ${facts.format} in ${((Date.now() - started) / 1000).toFixed(1)}s ` +
          `(${this.#done} done, ${this.#inFlight.size - 1} pending)`,
      );
      return { request, bytes, facts, origin: 'generated' as const, entry };
    })();
    this.#inFlight.set(request.key, pending);
    const forget = () => this.#inFlight.delete(request.key);
    pending.then(forget, forget);
    return pending;
  }

  /**
   * Stops the backend (the local emulator). `abort` cancels generations in flight (the dev server closing);
   * without it they are awaited and cached — after a failed build they are likely billed already, and the
   * next build should not pay for them again.
   */
  async close({ abort }: { abort: boolean }): Promise<void> {
    if (this.#inFlight.size > 0) {
      if (abort) this.#controller.abort(new Error('seedream: the dev server closed'));
      await Promise.allSettled([...this.#inFlight.values()]);
      this.#controller = new AbortController();
    }
    await this.store.flush();
    await this.backend?.close();
  }
}

/** An entry's facts, its placeholder rendered from the ThumbHash when the lock file does not hold one. */
function factsOf(entry: CacheEntry): ImageFacts {
  return {
    width: entry.width,
    height: entry.height,
    format: entry.format,
    thumbhash: entry.thumbhash,
    placeholder: entry.placeholder ?? placeholderFromThumbhash(entry.thumbhash),
  };
}

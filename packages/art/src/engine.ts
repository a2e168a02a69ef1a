/**
 * The engine every adapter drives: options checked once, `seedream:*` specifiers resolved to requests, images
 * taken from the cache or generated (concurrency-limited, identical requests shared) or — offline — the
 * offline art, responsive variants derived, used keys tracked for pruning. It imports no bundler: the Vite
 * plugin, the unplugin adapters and the CLI are thin layers over it.
 */
import { dirname, join } from 'node:path';
import { DEFAULT_MODEL } from '@seedream-kit/core';
import type { CacheEntry } from './cache/manifest.js';
import type { PruneResult } from './cache/store.js';
import { CacheStore, VARIANT_EXTENSION } from './cache/store.js';
import { SeedreamPluginError } from './errors.js';
import { type Backend, createApiBackend, createLocalEmulatorBackend } from './generate/backend.js';
import { ImageGenerator, type ResolvedImage } from './generate/generator.js';
import { buildRequest, checkSpec, type ImageRequest } from './generate/request.js';
import type { ImageFacts } from './image/describe.js';
import { deriveVariants, variantWidths } from './image/variants.js';
import { isTruthyEnv } from './internal/env.js';
import { redact } from './internal/redact.js';
import { IMAGE_NAME, normalizeInline, PREFIX, parseSpecifier, RESOLVED_PREFIX } from './specifier.js';
import type { SeedreamArtOptions, SeedreamImageSpec, SeedreamVariantFormat } from './types.js';

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_CACHE_DIR = '.seedream';

/** Where the engine reports (progress, warnings). Messages are already free of the API key. */
export interface ArtLog {
  info(message: string): void;
  warn(message: string): void;
}

/** A responsive variant ready to emit: from the cache (`file` set) or, for offline art, in memory only. */
export interface ResolvedVariant {
  width: number;
  height: number;
  format: SeedreamVariantFormat;
  bytes: Uint8Array;
  /** File name in the cache folder; absent for variants of offline art (never cached). */
  file?: string;
  /** `png`, `jpg`, `webp`, `avif` */
  extension: string;
}

export interface ArtEngineContext {
  /** Project root: `cacheDir` and relative reference paths start here. */
  root: string;
  log: ArtLog;
}

export class ArtEngine {
  readonly options: SeedreamArtOptions;
  readonly named: ReadonlyMap<string, SeedreamImageSpec>;
  readonly concurrency: number;
  #context: ArtEngineContext | undefined;
  #generator: Promise<ImageGenerator> | undefined;
  /** Keys used in this process, across builds: what `prune` keeps. */
  readonly #used = new Set<string>();
  /** Variant derivations in flight, by `<key>:<width>w.<format>…`: imports of the same image share one. */
  readonly #variants = new Map<string, Promise<ResolvedVariant[]>>();

  /** Checks the options (throws `SeedreamPluginError` on a bad one); nothing is read or started yet. */
  constructor(options: SeedreamArtOptions = {}) {
    this.options = options;
    this.named = checkNamedImages(options.images ?? {});
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new SeedreamPluginError('seedream: `concurrency` must be a positive integer');
  }

  /** Sets the project root and the log (the adapter knows them once its bundler resolved its config). */
  configure(context: ArtEngineContext): void {
    this.#context = context;
  }

  get root(): string {
    return this.#context?.root ?? process.cwd();
  }

  /** Absolute cache folder (`undefined` before `configure`). */
  get cacheDir(): string | undefined {
    return this.#context && join(this.#context.root, this.options.cacheDir ?? DEFAULT_CACHE_DIR);
  }

  /** `offline` option, else `CI` set. */
  get offline(): boolean {
    return this.options.offline ?? isTruthyEnv(process.env.CI);
  }

  /** `prune` option, else `SEEDREAM_PRUNE` set: a successful build removes the entries no build used. */
  get prunes(): boolean {
    return this.options.prune ?? isTruthyEnv(process.env.SEEDREAM_PRUNE);
  }

  /** The key in effect: `apiKey` option (`null`: none, a proxy adds it), else `COMETAPI_KEY`. */
  apiKey(): string | null | undefined {
    return this.options.apiKey === undefined ? process.env.COMETAPI_KEY || undefined : this.options.apiKey;
  }

  readonly log: ArtLog = {
    info: (message) => this.#context?.log.info(redact(message, this.apiKey())),
    warn: (message) => this.#context?.log.warn(redact(message, this.apiKey())),
  };

  /**
   * The resolved id of an import (`\0seedream:…`), or null when it is not a `seedream:` import. Relative
   * reference paths of inline imports become root-relative, so the id does not depend on the importer.
   */
  resolveId(source: string, importer: string | undefined): string | null {
    if (!source.startsWith(PREFIX)) return null;
    const importerDir = importer && !importer.startsWith('\0') ? dirname(importer.split('?')[0]!) : undefined;
    return RESOLVED_PREFIX + normalizeInline(source.slice(PREFIX.length), importerDir, this.root);
  }

  /** The request of a resolved id (`\0seedream:…`) or of a bare specifier body (`hero`, `?prompt=…`). */
  async request(id: string): Promise<ImageRequest> {
    const body = id.startsWith(RESOLVED_PREFIX) ? id.slice(RESOLVED_PREFIX.length) : id.startsWith(PREFIX) ? id.slice(PREFIX.length) : id;
    const specifier = parseSpecifier(body);
    if (specifier.kind === 'inline') return this.requestFor(specifier.spec, specifier.label);
    const found = this.named.get(specifier.name);
    if (!found) {
      const known = [...this.named.keys()];
      throw new SeedreamPluginError(
        `seedream: no image named "${specifier.name}" in the \`images\` option${known.length ? ` (known: ${known.join(', ')})` : ''}`,
      );
    }
    return this.requestFor(found, specifier.name);
  }

  /** The request of a checked spec (reads reference files, computes the key). */
  requestFor(spec: SeedreamImageSpec, label: string): Promise<ImageRequest> {
    return buildRequest(spec, label, { root: this.root, defaults: this.options.defaults ?? {}, defaultModel: DEFAULT_MODEL });
  }

  /** The generator (cache store plus backend), opened on first use and shared until `close`. */
  generator(): Promise<ImageGenerator> {
    const cacheDir = this.cacheDir;
    if (!cacheDir) return Promise.reject(new Error('seedream: the engine is not configured (no root yet)'));
    this.#generator ??= CacheStore.open(cacheDir).then((store) => {
      if (store.dropped.length > 0)
        this.log.warn(`seedream: ${store.dropped.length} malformed entr${store.dropped.length === 1 ? 'y' : 'ies'} in ${store.lockPath} ignored`);
      return new ImageGenerator({ store, backend: this.#createBackend(), strict: this.options.strict ?? false, concurrency: this.concurrency, log: this.log });
    });
    this.#generator.catch(() => (this.#generator = undefined));
    return this.#generator;
  }

  /** Records that a build imported this key (what `prune` keeps). */
  markUsed(key: string): void {
    this.#used.add(key);
  }

  usedKeys(): string[] {
    return [...this.#used].sort();
  }

  /** The image of a build: cached, generated, or offline art (or a strict-mode error). Marks the key used. */
  async image(request: ImageRequest): Promise<ResolvedImage> {
    this.markUsed(request.key);
    return (await this.generator()).resolve(request);
  }

  /**
   * A cache hit's entry and facts from the lock file alone (undefined when `image` would not answer from the
   * cache as is). For an adapter that already holds the image's content-addressed file: the image is not read.
   * The key is not marked used (the adapter may not know whether the build imports it).
   */
  async cachedFacts(request: ImageRequest): Promise<{ entry: CacheEntry; facts: ImageFacts } | undefined> {
    return (await this.generator()).peek(request);
  }

  /**
   * The responsive variants a request asks for (`[]` without `widths`): read from the cache when recorded and
   * intact, else derived with sharp from the image and stored beside it. Offline art's variants stay in memory.
   */
  async variants(image: ResolvedImage): Promise<ResolvedVariant[]> {
    const responsive = image.request.responsive;
    if (!responsive) return [];
    const id = `${image.request.key}:${image.entry?.sha256 ?? image.origin}:${responsive.widths.join(';')}:${responsive.formats.join(';')}`;
    let pending = this.#variants.get(id);
    if (!pending) {
      pending = this.#deriveVariants(image, responsive.widths, responsive.formats);
      this.#variants.set(id, pending);
      pending.catch(() => this.#variants.delete(id));
    }
    return pending;
  }

  async #deriveVariants(image: ResolvedImage, widths: number[], formats: SeedreamVariantFormat[]): Promise<ResolvedVariant[]> {
    const { entry } = image;
    if (!entry) {
      const derived = await deriveVariants(image.bytes, image.facts.width, widths, formats);
      return derived.map((variant) => ({ ...variant, extension: VARIANT_EXTENSION[variant.format] }));
    }
    const store = (await this.generator()).store;
    const wanted = variantWidths(widths, image.facts.width).flatMap((width) => formats.map((format) => ({ width, format })));
    const cached = wanted.map(({ width, format }) => store.readVariant(image.request.key, width, format));
    if (cached.every((found) => found !== undefined)) {
      return cached.map(({ variant, bytes }) => ({ ...variant, bytes, extension: VARIANT_EXTENSION[variant.format] }));
    }
    const derived = await deriveVariants(image.bytes, image.facts.width, widths, formats);
    const recorded = await store.putVariants(image.request.key, derived);
    return derived.map((variant, index) => ({ ...variant, file: recorded[index]!.file, extension: VARIANT_EXTENSION[variant.format] }));
  }

  /** After a build: prune (when asked and the build succeeded), then close the generator (awaiting its work). */
  async finish({ failed }: { failed: boolean }): Promise<PruneResult | undefined> {
    const current = this.#generator && (await this.#generator.catch(() => undefined));
    let removed: PruneResult | undefined;
    if (current && !failed && this.prunes) {
      removed = await current.store.prune(this.#used);
    }
    await this.close({ abort: false });
    return removed;
  }

  /** Closes the generator: `abort` cancels generations in flight, else they are awaited and cached. */
  async close({ abort }: { abort: boolean }): Promise<void> {
    const current = this.#generator;
    this.#generator = undefined;
    this.#variants.clear();
    if (current) await (await current.catch(() => undefined))?.close({ abort });
  }

  #createBackend(): Backend | undefined {
    if (this.offline) return undefined;
    const key = this.apiKey();
    const common = {
      timeout: this.options.timeout,
      client: this.options.client,
      onWarning: (label: string, issues: { path: string; message: string }[]) => {
        for (const issue of issues) this.log.warn(`seedream: "${label}": ${issue.path}: ${issue.message}`);
      },
    };
    if (key === undefined) {
      if (this.options.baseURL)
        this.log.warn(
          'seedream: no API key (COMETAPI_KEY or `apiKey`); generating with the local emulator, not baseURL. Pass `apiKey: null` to call baseURL without a key.',
        );
      return createLocalEmulatorBackend(common);
    }
    return createApiBackend({ ...common, apiKey: key, baseURL: this.options.baseURL });
  }
}

/** Checks the `images` option: names and specs. A string is a prompt. */
export function checkNamedImages(images: Record<string, SeedreamImageSpec | string>, where = 'seedream: images'): Map<string, SeedreamImageSpec> {
  const named = new Map<string, SeedreamImageSpec>();
  for (const [name, value] of Object.entries(images)) {
    const spec = typeof value === 'string' ? { prompt: value } : value;
    if (!IMAGE_NAME.test(name)) throw new SeedreamPluginError(`seedream: image name "${name}" may hold only letters, digits, _ . - /`);
    checkSpec(spec, `${where}.${name}`);
    named.set(name, spec);
  }
  return named;
}

/** A new engine (options checked now). */
export function createArtEngine(options: SeedreamArtOptions = {}): ArtEngine {
  return new ArtEngine(options);
}

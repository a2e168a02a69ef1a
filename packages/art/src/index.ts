/**
 * @seedream-kit/art: the bundler-free engine behind every seedream-kit build adapter (the Vite plugin, the
 * unplugin adapters, the `seedream` CLI) — a committed content-addressed cache with its lock file, canonical
 * request hashing, a generation queue (concurrency, in-flight sharing, progress), offline/strict modes,
 * responsive variants, and the code of `seedream:*` modules.
 */
export { ArtEngine, createArtEngine, checkNamedImages, DEFAULT_CACHE_DIR, DEFAULT_CONCURRENCY } from './engine.js';
export type { ArtEngineContext, ArtLog, ResolvedVariant } from './engine.js';
export { CacheStore, pruneCache, VARIANT_EXTENSION } from './cache/store.js';
export type { CacheRead, NewImage, NewVariant, PruneResult } from './cache/store.js';
export { CACHE_FILE, LOCK_FILE, parseManifest, serializeManifest, variantId } from './cache/manifest.js';
export type { CacheEntry, EntrySource, Manifest, ParsedManifest, VariantEntry } from './cache/manifest.js';
export { ImageGenerator } from './generate/generator.js';
export type { GeneratorLog, ImageOrigin, Lookup, ResolvedImage } from './generate/generator.js';
export { createApiBackend, createLocalEmulatorBackend } from './generate/backend.js';
export type { ApiBackendOptions, Backend } from './generate/backend.js';
export { buildRequest, CACHE_SCHEMA_VERSION, checkSpec, requestKey, VARIANT_FORMATS } from './generate/request.js';
export type { CanonicalRequest, ImageRequest, ReferenceImage, ResponsiveRequest } from './generate/request.js';
export { renderOfflineArt } from './generate/offline-art.js';
export { describeImage, placeholderFromThumbhash } from './image/describe.js';
export type { ImageFacts } from './image/describe.js';
export { deriveVariants, VARIANT_ENCODING, VARIANT_MIME, variantWidths } from './image/variants.js';
export { groupVariants, imageJsonExpression, imageValue, moduleCode } from './module-code.js';
export { imageExtension, imageOutputName, outputFileName, variantOutputName } from './output-names.js';
export type { ImageValueInput, ModuleCodeInput, ModuleVariant } from './module-code.js';
export { IMAGE_NAME, normalizeInline, PREFIX, parseSpecifier, RESOLVED_PREFIX, slug } from './specifier.js';
export type { Specifier } from './specifier.js';
export { isTruthyEnv } from './internal/env.js';
export { redact, redactError } from './internal/redact.js';
export { SeedreamPluginError, SeedreamPluginError as SeedreamArtError } from './errors.js';
export type {
  SeedreamArtOptions,
  SeedreamImage,
  SeedreamImageParams,
  SeedreamImageSpec,
  SeedreamOutputFormat,
  SeedreamResponsiveOptions,
  SeedreamSource,
  SeedreamVariantFormat,
} from './types.js';

/**
 * @seedream-kit/vite: Seedream placeholder art generated at build time, cached in the repository,
 * reproducible, and offline in CI.
 *
 *   import seedream from '@seedream-kit/vite';
 *   export default defineConfig({ plugins: [seedream({ images: { hero: { prompt: 'a lighthouse at dusk', size: '2K' } } })] });
 *
 *   import hero from 'seedream:hero';                 // { src, width, height, alt, placeholder, format }
 *   import kite from 'seedream:?prompt=a%20red%20kite&size=1K';
 */
import { seedream } from './plugin.js';

export { seedream, UPDATE_EVENT } from './plugin.js';
export type { SeedreamPlugin, SeedreamPluginApi } from './plugin.js';
export { pruneCache } from './cache/store.js';
export type { PruneResult } from './cache/store.js';
export { LOCK_FILE } from './cache/manifest.js';
export type { CacheEntry, EntrySource, Manifest } from './cache/manifest.js';
export type { ImageFacts } from './image/describe.js';
export { CACHE_SCHEMA_VERSION, requestKey } from './generate/request.js';
export type { CanonicalRequest } from './generate/request.js';
export { SeedreamPluginError } from './errors.js';
export type { SeedreamImage, SeedreamImageParams, SeedreamImageSpec, SeedreamOutputFormat, SeedreamPluginOptions } from './types.js';

export default seedream;

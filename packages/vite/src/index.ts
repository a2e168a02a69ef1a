/**
 * @seedream-kit/vite: Seedream placeholder art generated at build time, cached in the repository,
 * reproducible, and offline in CI. A thin Vite adapter over the bundler-free engine, @seedream-kit/art.
 *
 *   import seedream from '@seedream-kit/vite';
 *   export default defineConfig({ plugins: [seedream({ images: { hero: { prompt: 'a lighthouse at dusk', size: '2K' } } })] });
 *
 *   import hero from 'seedream:hero';                 // { src, width, height, alt, placeholder, format, srcset, sources }
 *   import kite from 'seedream:?prompt=a%20red%20kite&size=1K';
 */
import { seedream } from './plugin.js';

export { seedream, UPDATE_EVENT } from './plugin.js';
export type { SeedreamPlugin, SeedreamPluginApi } from './plugin.js';
export { CACHE_SCHEMA_VERSION, LOCK_FILE, pruneCache, requestKey, SeedreamPluginError } from '@seedream-kit/art';
export type { CacheEntry, CanonicalRequest, EntrySource, ImageFacts, Manifest, PruneResult, VariantEntry } from '@seedream-kit/art';
export type {
  SeedreamImage,
  SeedreamImageParams,
  SeedreamImageSpec,
  SeedreamOutputFormat,
  SeedreamPluginOptions,
  SeedreamSource,
  SeedreamVariantFormat,
} from './types.js';

export default seedream;

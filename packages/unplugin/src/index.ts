/**
 * @seedream-kit/unplugin: Seedream build-time art for webpack, Rspack, Rollup, esbuild, Rolldown and Vite
 * (through unplugin), on the same engine, cache folder and lock file as @seedream-kit/vite.
 *
 *   import seedream from '@seedream-kit/unplugin/webpack';
 *   export default { plugins: [seedream({ images: { hero: 'a lighthouse at dusk' } })] };
 */
import { seedreamUnplugin } from './core.js';

export { PLUGIN_NAME, seedreamUnplugin, seedreamUnpluginFactory } from './core.js';
export type { SeedreamUnpluginOptions } from './core.js';
export { CACHE_SCHEMA_VERSION, LOCK_FILE, pruneCache, SeedreamPluginError } from '@seedream-kit/art';
export type { ArtLog, PruneResult, SeedreamImage, SeedreamImageParams, SeedreamImageSpec, SeedreamSource, SeedreamVariantFormat } from '@seedream-kit/art';

export default seedreamUnplugin;

/** The esbuild plugin: `seedream(options)`. */
import { type SeedreamUnpluginOptions, seedreamUnplugin } from './core.js';

export type { SeedreamUnpluginOptions } from './core.js';

/**
 * What esbuild's `plugins` take. Declared here rather than taken from esbuild's types, so the published types do
 * not import `esbuild` (a package that installs this one without esbuild, a type-check of the other entries).
 */
export interface SeedreamEsbuildPlugin {
  name: string;
  setup(build: unknown): void | Promise<void>;
}

export const seedream: (options?: SeedreamUnpluginOptions) => SeedreamEsbuildPlugin = seedreamUnplugin.esbuild;
export default seedream;

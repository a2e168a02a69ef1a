/** The webpack plugin: `seedream(options)`. */
import { type SeedreamUnpluginOptions, seedreamUnplugin } from './core.js';

export type { SeedreamUnpluginOptions } from './core.js';

/**
 * What webpack's `plugins` take. Declared here rather than taken from webpack's types, so the published types do
 * not import `webpack` (a package that installs this one without webpack, a type-check of the other entries).
 */
export interface SeedreamWebpackPlugin {
  apply(compiler: unknown): void;
}

export const seedream: (options?: SeedreamUnpluginOptions) => SeedreamWebpackPlugin = seedreamUnplugin.webpack;
export default seedream;

/**
 * webpack: `seedream:` is a URI scheme of its own, resolved and read by webpack's scheme hooks (as `data:` is).
 * unplugin's way (a resolver plugin called for every import, an empty virtual file per image through
 * webpack-virtual-modules, then a loader) cost more than the images themselves in a warm build.
 */
import type { Compiler } from 'webpack';
import type { ImageModules } from './rspack-modules.js';

export function webpackImageModules(compiler: Compiler, { pluginName, resolveId, load }: ImageModules): void {
  const { NormalModule, sources } = compiler.webpack;
  // The module may be CommonJS whatever the project's package.json says (as unplugin's rule for its modules).
  compiler.options.module.rules.push({ scheme: 'seedream', type: 'javascript/auto' });
  compiler.hooks.compilation.tap(pluginName, (compilation, { normalModuleFactory }) => {
    normalModuleFactory.hooks.resolveForScheme.for('seedream').tap(pluginName, (resourceData, resolveData) => {
      // Relative reference paths become root-relative: one module per image, whoever imports it.
      const id = resolveId(resourceData.resource, resolveData.contextInfo.issuer || undefined);
      if (id) resourceData.resource = id.slice(1);
    });
    NormalModule.getCompilationHooks(compilation)
      .readResource.for('seedream')
      .tapPromise(pluginName, (loaderContext) => {
        // Built in every compilation (never restored from a cache): its images are emitted by building it, and
        // its code follows the lock file, which is no dependency of it.
        loaderContext.cacheable(false);
        return load(
          {
            emitFile: ({ fileName, source }) => compilation.emitAsset(fileName, new sources.RawSource(Buffer.from(source))),
            addWatchFile: (file) => loaderContext.addDependency(file),
          },
          `\0${loaderContext.resource}`,
        );
      });
  });
}

/**
 * webpack: `seedream:` is a URI scheme of its own, resolved and read by webpack's scheme hooks (as `data:` is).
 * unplugin's way (a resolver plugin called for every import, an empty virtual file per image through
 * webpack-virtual-modules, then a loader) cost more than the images themselves in a warm build.
 *
 * Two module shapes per image. Importers that read only the default export (`import hero from 'seedream:hero'`,
 * the common case) get an ES module with that one export, which webpack inlines into its importer. Any other
 * importer (named or namespace imports, `require`, `import()`) gets a CommonJS module whose properties are the
 * named exports. An image imported both ways is in the bundle twice (its file is emitted once).
 */
import type { Compiler } from 'webpack';
import { IMMUTABLE, type ImageModules } from './rspack-modules.js';

/** What webpack's import dependencies carry: their kind, and for specifiers the export path they read. */
interface ImportDependency {
  type: string;
  ids?: readonly string[];
}

/** The shape is the resource's last `#` part, always added: `seedream:hero#default`, `seedream:hero#all`. */
type Shape = 'default' | 'all';
const shapeOf = (resource: string) => {
  const cut = resource.lastIndexOf('#');
  return { id: `\0${resource.slice(0, cut)}`, shape: resource.slice(cut + 1) as Shape };
};

/**
 * Whether an import reads nothing but the default export (or nothing: a side-effect import). The dependency types
 * are webpack's names for `import x from`, its specifier uses, and `export { default as x } from`.
 */
function readsOnlyDefault(dependency: ImportDependency): boolean {
  switch (dependency.type) {
    case 'harmony side effect evaluation':
      return true;
    case 'harmony import specifier':
    case 'harmony export imported specifier':
      return dependency.ids?.[0] === 'default';
    default:
      return false;
  }
}

export function webpackImageModules(compiler: Compiler, { pluginName, resolveId, load }: ImageModules): void {
  const { NormalModule, sources } = compiler.webpack;
  // The module may be CommonJS whatever the project's package.json says (as unplugin's rule for its modules).
  compiler.options.module.rules.push({ scheme: 'seedream', type: 'javascript/auto' });
  compiler.hooks.compilation.tap(pluginName, (compilation, { normalModuleFactory }) => {
    normalModuleFactory.hooks.resolveForScheme.for('seedream').tap(pluginName, (resourceData, resolveData) => {
      // Relative reference paths become root-relative: one module per image, whoever imports it.
      const id = resolveId(resourceData.resource, resolveData.contextInfo.issuer || undefined);
      if (!id) return;
      // webpack hands over every dependency of one importer on this request at once; the shape is part of the
      // resource, so an importer that needs the named exports never gets the default-only module.
      const shape: Shape = (resolveData.dependencies as unknown as ImportDependency[]).every(readsOnlyDefault) ? 'default' : 'all';
      resourceData.resource = `${id.slice(1)}#${shape}`;
    });
    NormalModule.getCompilationHooks(compilation)
      .readResource.for('seedream')
      .tapPromise(pluginName, (loaderContext) => {
        // Built in every compilation (never restored from a cache): its images are emitted by building it, and
        // its code follows the lock file, which is no dependency of it.
        loaderContext.cacheable(false);
        const { id, shape } = shapeOf(loaderContext.resource);
        return load(
          {
            emitFile: ({ fileName, source }) => compilation.emitAsset(fileName, new sources.RawSource(Buffer.from(source)), IMMUTABLE),
            addWatchFile: (file) => loaderContext.addDependency(file),
          },
          id,
          shape === 'default' ? 'default' : undefined,
        );
      });
  });
}

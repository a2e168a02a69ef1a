/**
 * Rspack: image modules as files of Rspack's own virtual file system, written with their code when the import
 * is resolved. unplugin's way (an empty virtual file, then a JavaScript loader and a JavaScript rule test per
 * module, a JavaScript resolve hook for every import) took about half of a warm build of 100 images.
 */
import { resolve } from 'node:path';
import { PREFIX, RESOLVED_PREFIX } from '@seedream-kit/art';
import type { Compilation, Compiler } from '@rspack/core';
import { escapeRegExp } from './escape-regexp.js';

/** What the image loader needs from a bundler: unplugin's `emitFile` and `addWatchFile`. */
export interface ImageModuleContext {
  emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): void;
  addWatchFile(file: string): void;
}

/** What an adapter that makes its own image modules needs from the plugin. */
export interface ImageModules {
  pluginName: string;
  /** The resolved id (`\0seedream:…`) of an import, or null. */
  resolveId(source: string, importer: string | undefined): string | null;
  /**
   * The module code of a resolved id (throws what the build should report). `default`: a module with only a
   * default export, for importers that read nothing else (the bundler's own way otherwise).
   */
  load(context: ImageModuleContext, id: string, exports?: 'default'): Promise<string>;
  /** A fast path's module file for an import (rspack-images.ts), or undefined to go the per-import way. */
  aliased?(request: string, issuer: string | undefined): string | undefined;
}

/**
 * Emitted image files are named by their content's hash, so a file already in the output folder is not written
 * again (as the bundler does for its own `[contenthash]` assets).
 */
export const IMMUTABLE = { immutable: true } as const;

export function rspackImageModules(compiler: Compiler, { pluginName, resolveId, load, aliased }: ImageModules): void {
  const vfs = new compiler.rspack.experiments.VirtualModulesPlugin();
  vfs.apply(compiler);
  // unplugin's names for virtual modules: the same module paths as before in stats and errors.
  const folder = resolve(compiler.context, 'node_modules/.virtual');
  const pathOf = (id: string) => resolve(folder, encodeURIComponent(id));
  // As unplugin's rule for them: whatever the project's package.json says, the module may be CommonJS or ESM.
  compiler.options.module.rules.push({ test: new RegExp(`^${escapeRegExp(pathOf(RESOLVED_PREFIX))}`), type: 'javascript/auto' });
  /** The code written per virtual file: unchanged code is not written again (a write is a watch event). */
  const written = new Map<string, string>();
  /** Reference files → the ids made from them, rewritten when one changes in watch mode. */
  const references = new Map<string, Set<string>>();
  /** Emits and errors of a rewrite in watchRun, for the compilation that follows. */
  const pending: { files: Parameters<ImageModuleContext['emitFile']>[0][]; errors: Error[] } = { files: [], errors: [] };

  const write = async (id: string, context: ImageModuleContext) => {
    const path = pathOf(id);
    const code = await load(
      {
        emitFile: context.emitFile,
        addWatchFile(file) {
          let ids = references.get(file);
          if (!ids) references.set(file, (ids = new Set()));
          ids.add(id);
          context.addWatchFile(file);
        },
      },
      id,
    );
    if (written.get(path) !== code) {
      written.set(path, code);
      vfs.writeModule(path, code);
    }
    return path;
  };

  const emitter = (compilation: Compilation) => (file: Parameters<ImageModuleContext['emitFile']>[0]) =>
    compilation.emitAsset(file.fileName, new compiler.rspack.sources.RawSource(Buffer.from(file.source)), IMMUTABLE);

  compiler.hooks.thisCompilation.tap(pluginName, (compilation) => {
    // Watched in every build, not only the ones that resolve the import again.
    for (const file of references.keys()) compilation.fileDependencies.add(file);
    const emit = emitter(compilation);
    for (const file of pending.files.splice(0)) emit(file);
    for (const error of pending.errors.splice(0)) compilation.errors.push(error as never);
  });
  compiler.hooks.compilation.tap(pluginName, (compilation, { normalModuleFactory }) => {
    const context: ImageModuleContext = { emitFile: emitter(compilation), addWatchFile: (file) => compilation.fileDependencies.add(file) };
    normalModuleFactory.hooks.beforeResolve.tapPromise(pluginName, async (data) => {
      if (!data.request.startsWith(PREFIX)) return;
      const aliasedPath = aliased?.(data.request, data.contextInfo.issuer || undefined);
      if (aliasedPath) {
        data.request = aliasedPath;
        return;
      }
      const id = resolveId(data.request, data.contextInfo.issuer || undefined);
      if (id) data.request = await write(id, context);
    });
  });
  // A changed reference image changes its module; the importer is not rebuilt, so nothing would resolve it again.
  compiler.hooks.watchRun.tapPromise(pluginName, async () => {
    const ids = new Set<string>();
    for (const file of [...(compiler.modifiedFiles ?? []), ...(compiler.removedFiles ?? [])]) for (const id of references.get(file) ?? []) ids.add(id);
    if (ids.size === 0) return;
    const context: ImageModuleContext = { emitFile: (file) => pending.files.push(file), addWatchFile: () => undefined };
    const paths = await Promise.all([...ids].map((id) => write(id, context).catch((error: Error) => void pending.errors.push(error))));
    // This rebuild reads the new code: its modules count as changed files.
    compiler.modifiedFiles = new Set([...(compiler.modifiedFiles ?? []), ...paths.filter((path) => path !== undefined)]);
  });
}

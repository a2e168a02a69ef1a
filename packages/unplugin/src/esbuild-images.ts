/**
 * esbuild: named images the cache answers as they are resolve without calling into JavaScript. Every plugin
 * callback is a round trip between esbuild and Node, and two per image cost more than the rest of a warm build.
 * So at setup, each such image's module is written as a file (content-addressed, under
 * `node_modules/.cache/seedream-kit/esbuild`) and `seedream:<name>` becomes an esbuild `alias` of it; the
 * plugin's resolve filter leaves exactly those names out. Everything else (inline imports, images with
 * reference files or responsive variants, misses, unknown names) goes through the plugin as before. Each build
 * then only checks that the modules and the image files are in place, and writes the missing ones; an image
 * file already in the output folder (its name carries its content's hash) is not read again.
 */
import { join, resolve } from 'node:path';
import type { ArtEngine } from '@seedream-kit/art';
import type { OnStartResult, PluginBuild } from 'esbuild';
import { type CachedModule, moduleFileName, modulesFolder, writeMissing, writeMissingByFolder } from './cached-modules.js';
import { escapeRegExp } from './escape-regexp.js';
import { exceptPattern } from './except-pattern.js';

export interface EsbuildImageHost {
  pluginName: string;
  engine: ArtEngine;
  /** Points the engine at the project (as `buildStart` does). */
  configure(): void;
  /** The module of a named image the cache answers as it is, or undefined (then it is resolved per import). */
  cachedModule(name: string): Promise<CachedModule | undefined>;
  /** esbuild's `outdir`, where the image files go (none: nothing is written, as for the other images). */
  outdir(): string | undefined;
  /** Records a file as emitted by this build (the per-import path then does not write it again). */
  emitted(file: string): void;
}

const PREFIX = 'seedream:';

/** Sets up the fast path (see above); resolves once esbuild may start. */
export async function esbuildNamedImages(build: PluginBuild, host: EsbuildImageHost): Promise<void> {
  const { engine } = host;
  host.configure();
  const modulesDir = modulesFolder(engine.root, 'esbuild');
  const paths = new WeakMap<CachedModule, string>();
  const modulePath = (module: CachedModule) => {
    let path = paths.get(module);
    if (!path) paths.set(module, (path = join(modulesDir, moduleFileName(module))));
    return path;
  };

  /** Writes what is missing of the modules and their image files; returns the images whose bytes could not be read. */
  const ensureOutputs = async (modules: CachedModule[]): Promise<Array<{ module: CachedModule; reason: string }>> => {
    const unreadable: Array<{ module: CachedModule; reason: string }> = [];
    await writeMissing(
      modulesDir,
      modules.map((module) => ({ path: modulePath(module), bytes: () => Promise.resolve(module.code) })),
    );
    const outdir = host.outdir();
    if (!outdir) return unreadable;
    await writeMissingByFolder(
      modules.map((module) => ({
        path: resolve(outdir, module.file),
        bytes: async () => {
          // Read (and checked against its SHA-256) only when the output folder does not have it yet.
          const read = await (await engine.generator()).store.read(module.key);
          if (read.status === 'hit') return read.bytes;
          unreadable.push({ module, reason: read.status === 'corrupt' ? read.reason : 'not in the cache' });
          return undefined;
        },
      })),
    );
    return unreadable;
  };

  // `prune` keeps what a build imports, which the plugin only sees per import.
  let cached: CachedModule[] = [];
  if (!engine.prunes && engine.named.size > 0) {
    try {
      // An image that fails here fails on the per-import path too, with the plugin's error.
      const found = await Promise.all([...engine.named.keys()].map((name) => host.cachedModule(name).catch(() => undefined)));
      cached = found.filter((module): module is CachedModule => module !== undefined);
      // A cache file that is missing or altered is left to the per-import path (which regenerates it).
      const unreadable = new Set((await ensureOutputs(cached)).map(({ module }) => module));
      cached = cached.filter((module) => !unreadable.has(module));
    } finally {
      // Opened to read the lock file; each build opens it again (buildStart).
      await engine.close({ abort: false });
    }
  }
  if (cached.length > 0) {
    build.initialOptions.alias = {
      ...build.initialOptions.alias,
      ...Object.fromEntries(cached.map((module) => [PREFIX + module.name, modulePath(module)])),
    };
  }

  const filter = new RegExp(
    `^${escapeRegExp(PREFIX)}${exceptPattern(
      cached.map((module) => module.name),
      '?',
    )}`,
  );
  build.onResolve({ filter }, (args) => {
    const id = engine.resolveId(args.path, args.kind === 'entry-point' ? undefined : args.importer || undefined);
    return id ? { path: id, namespace: host.pluginName } : undefined;
  });

  if (cached.length === 0) return;
  // Every build (a rebuild of an esbuild context too): the output folder may have been emptied since.
  build.onStart(async (): Promise<OnStartResult> => {
    const unreadable = await ensureOutputs(cached);
    for (const module of cached) host.emitted(module.file);
    // The aliases are fixed for the life of an esbuild context: an image whose cache file went away needs a new one.
    return {
      errors: unreadable.map(({ module, reason }) => ({
        text: `seedream: "${module.name}": ${reason}, since this esbuild build or context was set up; start it again`,
      })),
    };
  });
}

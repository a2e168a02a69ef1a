/**
 * The Vite glue over @seedream-kit/art's engine: resolves `seedream:*` imports, emits hashed assets in
 * builds (build-assets.ts), serves images and swaps placeholders over HMR in dev, and prunes the cache on request.
 */
import { relative } from 'node:path';
import { ArtEngine, imageExtension, type ModuleVariant, moduleCode, type ResolvedImage, type ResolvedVariant, RESOLVED_PREFIX } from '@seedream-kit/art';
import type { Plugin, ResolvedConfig, ViteDevServer } from 'vite';
import { type BuildAssets, buildAssets } from './build-assets.js';
import { createImageMiddleware, type MemoryImage } from './dev/image-middleware.js';
import type { SeedreamPluginOptions } from './types.js';

/** What other plugins and scripts can read from the plugin object (`plugin.api`). */
export interface SeedreamPluginApi {
  /** Absolute path of the cache folder (known once the config is resolved). */
  readonly cacheDir: string | undefined;
  /** Cache keys imported since the build or dev server started (what `prune` keeps). */
  usedKeys(): string[];
}

/** What `seedream()` returns: a Vite plugin whose `api` is always set (Vite's `Plugin` type has it optional). */
export type SeedreamPlugin = Plugin<SeedreamPluginApi> & { api: SeedreamPluginApi };

/** HMR custom event sent when a generated image replaces its placeholder in `vite dev`. */
export const UPDATE_EVENT = 'seedream:update';

export function seedream(options: SeedreamPluginOptions = {}): SeedreamPlugin {
  const { devPrefix: devPrefixOption, ...artOptions } = options;
  const engine = new ArtEngine(artOptions);
  const devPrefix = `/${(devPrefixOption ?? '/@seedream/').replace(/^\/+|\/+$/g, '')}/`;

  let config: ResolvedConfig;
  let server: ViteDevServer | undefined;
  let buildFailed = false;
  /** Dev only: images kept in memory (offline art, placeholders), by URL path after the prefix. */
  const memoryImages = new Map<string, MemoryImage>();
  /** Dev only: module ids waiting for their generated image. */
  const awaitingSwap = new Set<string>();

  /** Build only: how image files are emitted (set once the config is resolved). */
  let assets: BuildAssets;

  const devUrl = (path: string) => `${config.base.replace(/\/$/, '')}${devPrefix}${path}`;

  /** Dev: the URL of an image, registering in-memory ones with the middleware. */
  function devSource(image: ResolvedImage): string {
    if (image.entry) return devUrl(image.entry.file);
    const path = `~${image.origin}/${image.request.key.slice(0, 16)}.${imageExtension(image.facts.format)}`;
    memoryImages.set(path, { bytes: image.bytes, type: `image/${image.facts.format}` });
    return devUrl(path);
  }

  /** Dev: variant URLs (cache files, or in memory for offline art). */
  function devVariants(image: ResolvedImage, variants: ResolvedVariant[]): ModuleVariant[] {
    return variants.map((variant) => {
      let url: string;
      if (variant.file) url = devUrl(variant.file);
      else {
        const path = `~${image.origin}/${image.request.key.slice(0, 16)}-${variant.width}w.${variant.extension}`;
        memoryImages.set(path, { bytes: variant.bytes, type: `image/${variant.format}` });
        url = devUrl(path);
      }
      return { url: JSON.stringify(url), width: variant.width, format: variant.format };
    });
  }

  async function devModule(image: ResolvedImage, alt: string, withVariants: boolean): Promise<{ code: string; moduleType: 'js' }> {
    const variants = withVariants ? devVariants(image, await engine.variants(image)) : [];
    return { code: moduleCode({ src: JSON.stringify(devSource(image)), facts: image.facts, alt, variants }), moduleType: 'js' };
  }

  /** Dev: after a generation, re-run the module (its importers get an HMR update or a reload). */
  async function swap(id: string, image: ResolvedImage): Promise<void> {
    if (!server) return;
    for (const environment of Object.values(server.environments)) {
      const module = environment.moduleGraph.getModuleById(id);
      if (module) await environment.reloadModule(module);
    }
    server.environments.client?.hot.send({
      type: 'custom',
      event: UPDATE_EVENT,
      data: { id, src: devSource(image), width: image.facts.width, height: image.facts.height },
    });
  }

  const api: SeedreamPluginApi = {
    get cacheDir() {
      return engine.cacheDir;
    },
    usedKeys: () => engine.usedKeys(),
  };

  return {
    name: 'seedream-kit:vite',
    enforce: 'pre',
    api,

    configResolved(resolved) {
      config = resolved;
      assets = buildAssets(resolved);
      engine.configure({
        root: config.root,
        log: { info: (message) => config.logger.info(message, { timestamp: true }), warn: (message) => config.logger.warn(message, { timestamp: true }) },
      });
    },

    configureServer(devServer) {
      server = devServer;
      devServer.middlewares.use(createImageMiddleware({ base: () => config.base, prefix: devPrefix, cacheDir: () => engine.cacheDir!, memory: memoryImages }));
      devServer.httpServer?.once('close', () => void engine.close({ abort: true }));
    },

    buildStart() {
      buildFailed = false;
      assets.reset();
    },

    resolveId: {
      filter: { id: /^seedream:/ },
      handler(source, importer) {
        return engine.resolveId(source, importer);
      },
    },

    load: {
      filter: { id: /^\0seedream:/ },
      async handler(id) {
        if (!id.startsWith(RESOLVED_PREFIX)) return null;
        const request = await engine.request(id);
        for (const file of request.files) this.addWatchFile(file);
        const images = await engine.generator();
        engine.markUsed(request.key);

        if (config.command === 'build') {
          const image = await images.resolve(request);
          const src = assets.image(this, request.label, image);
          const variants = (await engine.variants(image)).map((variant) => ({
            url: assets.variant(this, request.label, variant),
            width: variant.width,
            format: variant.format,
          }));
          return { code: moduleCode({ src, facts: image.facts, alt: request.alt, variants }), moduleType: 'js' };
        }

        const found = await images.lookup(request);
        if (found.status === 'hit') return devModule(found.image, request.alt, true);
        if (images.offline) return devModule(await images.offlineFallback(request, found.reason), request.alt, true);
        if (found.reason.startsWith('corrupt')) engine.log.warn(`seedream: ${request.label}: ${found.reason}; regenerating`);
        // Show the offline art at once; the generated image replaces it over HMR when it arrives.
        const placeholder = await images.offlineArt(request);
        if (!awaitingSwap.has(id)) {
          awaitingSwap.add(id);
          images
            .generate(request)
            .then((image) => swap(id, image))
            .catch((error: unknown) => engine.log.warn(`seedream: generating "${request.label}" failed: ${(error as Error).message}`))
            .finally(() => awaitingSwap.delete(id));
        }
        // The placeholder's variants would be thrown away a moment later: its srcset is left empty.
        return devModule(placeholder, request.alt, false);
      },
    },

    buildEnd(error) {
      if (error) buildFailed = true;
    },

    async closeBundle() {
      if (config.command !== 'build') return engine.close({ abort: true });
      const cacheDir = engine.cacheDir!;
      const removed = await engine.finish({ failed: buildFailed });
      if (removed && (removed.entries.length > 0 || removed.files.length > 0)) {
        engine.log.info(
          `seedream: pruned ${removed.entries.length} unused entr${removed.entries.length === 1 ? 'y' : 'ies'} and ${removed.files.length} file(s) from ${relative(config.root, cacheDir) || '.'}`,
        );
      }
    },
  };
}

/**
 * The Vite glue: resolves `seedream:*` imports, loads them through the generator, emits hashed assets in
 * builds, serves images and swaps placeholders over HMR in dev, and prunes the cache on request.
 */
import { dirname, join, relative } from 'node:path';
import { DEFAULT_MODEL } from '@seedream-kit/core';
import type { Plugin, ResolvedConfig, ViteDevServer } from 'vite';
import { CacheStore } from './cache/store.js';
import { createImageMiddleware, type MemoryImage } from './dev/image-middleware.js';
import { SeedreamPluginError } from './errors.js';
import { createApiBackend, createLocalEmulatorBackend, type Backend } from './generate/backend.js';
import { ImageGenerator, type ResolvedImage } from './generate/generator.js';
import { buildRequest, checkSpec, type ImageRequest } from './generate/request.js';
import { isTruthyEnv } from './internal/env.js';
import { redact } from './internal/redact.js';
import { moduleCode } from './module-code.js';
import { IMAGE_NAME, PREFIX, RESOLVED_PREFIX, normalizeInline, parseSpecifier, slug } from './specifier.js';
import type { SeedreamImageSpec, SeedreamPluginOptions } from './types.js';

const DEFAULT_CONCURRENCY = 4;

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
  const named = checkNamedImages(options.images ?? {});
  const devPrefix = `/${(options.devPrefix ?? '/@seedream/').replace(/^\/+|\/+$/g, '')}/`;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new SeedreamPluginError(`seedream: \`concurrency\` must be a positive integer`);
  const apiKey = () => (options.apiKey === undefined ? process.env.COMETAPI_KEY || undefined : options.apiKey);

  let config: ResolvedConfig;
  let cacheDir: string | undefined;
  let server: ViteDevServer | undefined;
  let generator: Promise<ImageGenerator> | undefined;
  let buildFailed = false;
  /** Dev only: images kept in memory (offline art, placeholders), by URL path after the prefix. */
  const memoryImages = new Map<string, MemoryImage>();
  /** Keys imported in this process, across builds and environments: what `prune` keeps. */
  const used = new Set<string>();
  /** Dev only: module ids waiting for their generated image. */
  const awaitingSwap = new Set<string>();

  const log = {
    info: (message: string) => config.logger.info(redact(message, apiKey()), { timestamp: true }),
    warn: (message: string) => config.logger.warn(redact(message, apiKey()), { timestamp: true }),
  };

  const isOffline = () => options.offline ?? isTruthyEnv(process.env.CI);

  function createBackend(): Backend | undefined {
    if (isOffline()) return undefined;
    const key = apiKey();
    const common = {
      timeout: options.timeout,
      client: options.client,
      onWarning: (label: string, issues: { path: string; message: string }[]) => {
        for (const issue of issues) log.warn(`seedream: "${label}": ${issue.path}: ${issue.message}`);
      },
    };
    if (key === undefined) {
      if (options.baseURL)
        log.warn(
          'seedream: no API key (COMETAPI_KEY or `apiKey`); generating with the local emulator, not baseURL. Pass `apiKey: null` to call baseURL without a key.',
        );
      return createLocalEmulatorBackend(common);
    }
    return createApiBackend({ ...common, apiKey: key, baseURL: options.baseURL });
  }

  function getGenerator(): Promise<ImageGenerator> {
    generator ??= CacheStore.open(cacheDir!).then((store) => {
      if (store.dropped.length > 0)
        log.warn(`seedream: ${store.dropped.length} malformed entr${store.dropped.length === 1 ? 'y' : 'ies'} in ${store.lockPath} ignored`);
      return new ImageGenerator({ store, backend: createBackend(), strict: options.strict ?? false, concurrency, log });
    });
    generator.catch(() => (generator = undefined));
    return generator;
  }

  async function closeGenerator(abort: boolean): Promise<void> {
    const current = generator;
    generator = undefined;
    if (current) await (await current.catch(() => undefined))?.close({ abort });
  }

  async function requestFor(resolvedId: string): Promise<ImageRequest> {
    const specifier = parseSpecifier(resolvedId.slice(RESOLVED_PREFIX.length));
    let spec: SeedreamImageSpec;
    let label: string;
    if (specifier.kind === 'named') {
      const found = named.get(specifier.name);
      if (!found) {
        const known = [...named.keys()];
        throw new SeedreamPluginError(
          `seedream: no image named "${specifier.name}" in the plugin's \`images\` option${known.length ? ` (known: ${known.join(', ')})` : ''}`,
        );
      }
      spec = found;
      label = specifier.name;
    } else {
      spec = specifier.spec;
      label = specifier.label;
    }
    return buildRequest(spec, label, { root: config.root, defaults: options.defaults ?? {}, defaultModel: DEFAULT_MODEL });
  }

  const devUrl = (path: string) => `${config.base.replace(/\/$/, '')}${devPrefix}${path}`;

  /** Dev: the URL of an image, registering in-memory ones with the middleware. */
  function devSource(image: ResolvedImage): string {
    if (image.entry) return devUrl(image.entry.file);
    const path = `~${image.origin}/${image.request.key.slice(0, 16)}.${image.facts.format === 'jpeg' ? 'jpg' : 'png'}`;
    memoryImages.set(path, { bytes: image.bytes, type: `image/${image.facts.format}` });
    return devUrl(path);
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
      return cacheDir;
    },
    usedKeys: () => [...used].sort(),
  };

  return {
    name: 'seedream-kit:vite',
    enforce: 'pre',
    api,

    configResolved(resolved) {
      config = resolved;
      cacheDir = join(config.root, options.cacheDir ?? '.seedream');
    },

    configureServer(devServer) {
      server = devServer;
      devServer.middlewares.use(createImageMiddleware({ base: () => config.base, prefix: devPrefix, cacheDir: () => cacheDir!, memory: memoryImages }));
      devServer.httpServer?.once('close', () => void closeGenerator(true));
    },

    buildStart() {
      buildFailed = false;
    },

    resolveId: {
      filter: { id: /^seedream:/ },
      handler(source, importer) {
        if (!source.startsWith(PREFIX)) return null;
        const importerDir = importer && !importer.startsWith('\0') ? dirname(importer.split('?')[0]!) : undefined;
        return RESOLVED_PREFIX + normalizeInline(source.slice(PREFIX.length), importerDir, config.root);
      },
    },

    load: {
      filter: { id: /^\0seedream:/ },
      async handler(id) {
        if (!id.startsWith(RESOLVED_PREFIX)) return null;
        const request = await requestFor(id);
        for (const file of request.files) this.addWatchFile(file);
        const images = await getGenerator();
        used.add(request.key);

        if (config.command === 'build') {
          const image = await images.resolve(request);
          const extension = image.facts.format === 'jpeg' ? 'jpg' : 'png';
          const reference = this.emitFile({ type: 'asset', name: `${slug(request.label)}.${extension}`, source: image.bytes });
          return { code: moduleCode(`import.meta.ROLLDOWN_FILE_URL_${reference}`, image.facts, request.alt), moduleType: 'js' };
        }

        const found = await images.lookup(request);
        if (found.status === 'hit') return { code: moduleCode(JSON.stringify(devSource(found.image)), found.image.facts, request.alt), moduleType: 'js' };
        if (images.offline) {
          const art = await images.offlineFallback(request, found.reason);
          return { code: moduleCode(JSON.stringify(devSource(art)), art.facts, request.alt), moduleType: 'js' };
        }
        if (found.reason.startsWith('corrupt')) log.warn(`seedream: ${request.label}: ${found.reason}; regenerating`);
        // Show the offline art at once; the generated image replaces it over HMR when it arrives.
        const placeholder = await images.offlineArt(request);
        if (!awaitingSwap.has(id)) {
          awaitingSwap.add(id);
          images
            .generate(request)
            .then((image) => swap(id, image))
            .catch((error: unknown) => log.warn(`seedream: generating "${request.label}" failed: ${(error as Error).message}`))
            .finally(() => awaitingSwap.delete(id));
        }
        return { code: moduleCode(JSON.stringify(devSource(placeholder)), placeholder.facts, request.alt), moduleType: 'js' };
      },
    },

    buildEnd(error) {
      if (error) buildFailed = true;
    },

    async closeBundle() {
      if (config.command !== 'build') return closeGenerator(true);
      const current = generator && (await generator.catch(() => undefined));
      if (current && !buildFailed && (options.prune ?? isTruthyEnv(process.env.SEEDREAM_PRUNE))) {
        const removed = await current.store.prune(used);
        if (removed.entries.length > 0 || removed.files.length > 0) {
          log.info(
            `seedream: pruned ${removed.entries.length} unused entr${removed.entries.length === 1 ? 'y' : 'ies'} and ${removed.files.length} file(s) from ${relative(config.root, current.store.dir) || '.'}`,
          );
        }
      }
      await closeGenerator(false);
    },
  };
}

function checkNamedImages(images: Record<string, SeedreamImageSpec | string>): Map<string, SeedreamImageSpec> {
  const named = new Map<string, SeedreamImageSpec>();
  for (const [name, value] of Object.entries(images)) {
    const spec = typeof value === 'string' ? { prompt: value } : value;
    if (!IMAGE_NAME.test(name)) throw new SeedreamPluginError(`seedream: image name "${name}" may hold only letters, digits, _ . - /`);
    checkSpec(spec, `seedream: images.${name}`);
    named.set(name, spec);
  }
  return named;
}

/**
 * The unplugin factory: `seedream:*` imports for webpack, Rspack, Rollup, esbuild, Rolldown and Vite, over
 * the same engine (@seedream-kit/art) as the Vite plugin — the same module, cache folder and lock file.
 * Images and their variants are emitted with content-hashed file names and exported as `publicPath + file`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import {
  ArtEngine,
  type ArtLog,
  type ImageValueInput,
  imageExtension,
  imageJsonExpression,
  imageOutputName,
  imageValue,
  moduleCode,
  outputFileName,
  PREFIX,
  RESOLVED_PREFIX,
  type SeedreamArtOptions,
  type SeedreamImage,
  variantOutputName,
} from '@seedream-kit/art';
import type { AliasDecisionHost } from './alias-decision.js';
import { esbuildNamedImages } from './esbuild-images.js';
import { rolldownNamedImages } from './rolldown-images.js';
import { rspackNamedImages } from './rspack-images.js';
import { type ImageModules, rspackImageModules } from './rspack-modules.js';
import { webpackImageModules } from './webpack-modules.js';
import { createUnplugin, type UnpluginBuildContext, type UnpluginContext, type UnpluginFactory, type UnpluginInstance } from 'unplugin';

export interface SeedreamUnpluginOptions extends SeedreamArtOptions {
  /** Project root: `cacheDir` and relative reference paths start here. Default: Vite's root, else `process.cwd()`. */
  root?: string;
  /** Prefix of the exported URLs (`src`, `srcset`). Default `/`. */
  publicPath?: string;
  /** Folder of the emitted images inside the output folder. Default `assets`. */
  assetsDir?: string;
  /** Where progress and warnings go. Default: stderr, prefixed `[seedream]`. */
  logger?: ArtLog;
}

export const PLUGIN_NAME = 'seedream-kit:unplugin';

const stderrLogger: ArtLog = {
  info: (message) => void process.stderr.write(`[seedream] ${message}\n`),
  warn: (message) => void process.stderr.write(`[seedream] warning: ${message}\n`),
};

/** `seedream:…` imports, and their resolved ids. */
const RESOLVE_FILTER = /^seedream:/;
const LOAD_FILTER = /^\0seedream:/;
/** esbuild: inline imports; named ones are resolved by esbuildNamedImages (esbuild-images.ts). */
const INLINE_FILTER = /^seedream:\?/;

/** A fixed image whose module stands for this version's module code (alias-decision.ts keeps modules between builds). */
const SAMPLE_IMAGE: ImageValueInput = {
  src: '/sample.png',
  facts: { width: 2, height: 1, format: 'png', placeholder: 'data:image/webp;base64,AA' },
  alt: 'Sample "alt"',
};

export const seedreamUnpluginFactory: UnpluginFactory<SeedreamUnpluginOptions | undefined> = (options = {}, meta) => {
  // Rollup takes the named exports from the default export's properties (`syntheticNamedExports`): one binding
  // per image module instead of nine, which made a build of 100 images spend its time deconflicting names. That
  // default is a JSON.parse of one string: an object literal per image cost Rollup's tree-shaking more than the
  // rest of the build.
  const synthetic = meta?.framework === 'rollup';
  const webpack = meta?.framework === 'webpack';
  // CommonJS image modules (webpack, Rspack): named imports read the object's properties (strict ESM importers
  // too), and webpack drops the properties nobody reads; nine ESM exports per image made webpack and terser take
  // 2.5× as long, and Rspack's warm build of 100 images 5–10% longer.
  const commonJs = webpack || meta?.framework === 'rspack';
  // Rspack before its own virtual file system (experiments.VirtualModulesPlugin) keeps unplugin's virtual modules.
  const rspackFiles = meta?.framework === 'rspack' && Boolean(meta.rspack.compiler.rspack.experiments.VirtualModulesPlugin);
  const { root: rootOption, publicPath = '/', assetsDir = 'assets', logger = stderrLogger, ...artOptions } = options;
  const engine = new ArtEngine(artOptions);
  let root = rootOption;
  let failed = false;
  /** File names emitted in this build (one emit per file, however many modules share it). */
  const emitted = new Set<string>();
  const base = publicPath.endsWith('/') ? publicPath : `${publicPath}/`;
  const folder = assetsDir.replace(/^\/+|\/+$/g, '');
  const fileName = (name: string) => (folder ? `${folder}/${name}` : name);
  /**
   * esbuild: where emitted files go (its `outdir`, as unplugin's emitFile) and the writes under way. unplugin
   * writes each file synchronously, blocking the build once per image; these run in parallel with it and the
   * build ends (buildEnd) once they are done.
   */
  let esbuildOutdir: string | undefined;
  const writes: Promise<unknown>[] = [];
  const folders = new Map<string, Promise<unknown>>();
  const writeAsset = (file: string, source: Uint8Array) => {
    const path = resolve(esbuildOutdir!, file);
    let folder = folders.get(dirname(path));
    if (!folder) folders.set(dirname(path), (folder = mkdir(dirname(path), { recursive: true })));
    const write = folder.then(() => writeFile(path, source));
    write.catch(() => undefined); // reported by buildEnd, not as an unhandled rejection meanwhile
    writes.push(write);
  };

  const configureEngine = () => engine.configure({ root: root ?? process.cwd(), log: logger });
  /** An image's file in the output folder (named as in every adapter: art's output-names.ts). */
  const imageFile = (label: string, sha256: string, format: 'png' | 'jpeg') => fileName(outputFileName(label, sha256, imageExtension(format)));

  async function loadImage(this: UnpluginBuildContext & UnpluginContext, id: string, exports?: 'default') {
    if (!id.startsWith(RESOLVED_PREFIX)) return null;
    try {
      const request = await engine.request(id);
      for (const file of request.files) this.addWatchFile(file);
      const image = await engine.image(request);
      const emit = (file: string, source: Uint8Array) => {
        if (!emitted.has(file)) {
          emitted.add(file);
          if (meta?.framework !== 'esbuild') this.emitFile({ type: 'asset', fileName: file, source });
          else if (esbuildOutdir) writeAsset(file, source);
        }
        return base + file;
      };
      const src = emit(fileName(imageOutputName(request.label, image)), image.bytes);
      const variants = (await engine.variants(image)).map((variant) => ({
        url: emit(fileName(variantOutputName(request.label, variant)), variant.bytes),
        width: variant.width,
        format: variant.format,
      }));
      if (!synthetic && exports !== 'default' && !commonJs) return esModule({ src, facts: image.facts, alt: request.alt, variants });
      const value = imageValue({ src, facts: image.facts, alt: request.alt, variants });
      // One string for the bundler to parse and minify: tree-shaking an object literal per image was most of a
      // Rollup build, and webpack inlines a default-only module into its importer (half the warm build of CommonJS).
      const jsonDefault = `export default ${imageJsonExpression(value)};\n`;
      if (synthetic) return { code: jsonDefault, syntheticNamedExports: true } as { code: string };
      if (exports === 'default') return jsonDefault;
      return commonJsModule(value);
    } catch (error) {
      failed = true;
      throw error;
    }
  }

  /**
   * What the alias fast paths (alias-decision.ts) need for modules in one format (esbuild, Rolldown: an ES module;
   * Rspack: JSON): a named image's module when the cache answers it as it is (the same value as loadImage's
   * module, so the same bundle either way), and what else such a module depends on (fixed for this plugin).
   */
  const aliasHost = (code: (image: ImageValueInput) => string): AliasDecisionHost => ({
    engine,
    configure: configureEngine,
    async cachedModule(name) {
      const request = await engine.request(PREFIX + name);
      // Reference files are watched per import and variants derived per build: those stay on the per-import path.
      if (request.files.length > 0 || request.responsive) return undefined;
      const hit = await engine.cachedFacts(request);
      if (!hit) return undefined;
      const file = imageFile(request.label, hit.entry.sha256, hit.facts.format);
      return { name, key: request.key, file, entry: hit.entry, code: code({ src: base + file, facts: hit.facts, alt: request.alt }) };
    },
    // Samples of this version's module code and file names: a new version of the kit decides again.
    moduleShape: [base, folder, code(SAMPLE_IMAGE), imageFile('Sample label', '0'.repeat(64), 'png')],
  });
  const jsonModule = (image: ImageValueInput) => JSON.stringify(imageValue(image));

  const resolveFilter = { id: RESOLVE_FILTER };
  const rolldownImages = rolldownNamedImages({ ...aliasHost(esModule), resolveFilter });

  const imageModules: ImageModules = {
    pluginName: PLUGIN_NAME,
    resolveId: (source, importer) => engine.resolveId(source, importer),
    load: async (context, id, exports) => (await loadImage.call(context as UnpluginBuildContext & UnpluginContext, id, exports)) as string,
  };

  return {
    name: PLUGIN_NAME,
    enforce: 'pre',

    buildStart() {
      configureEngine();
      failed = false;
      emitted.clear();
      folders.clear();
    },

    // webpack and Rspack resolve and load in their hooks below, without unplugin's virtual modules.
    ...(rspackFiles || webpack
      ? {}
      : {
          // Hook filters let the bundlers that support them natively (Rollup ≥ 4.40, Rolldown; esbuild through
          // the `esbuild` filters below) skip the call for every other import.
          resolveId: {
            // Rolldown narrows it in place (rolldown-images.ts).
            filter: resolveFilter,
            handler: (source: string, importer: string | undefined) => engine.resolveId(source, importer),
          },
          load: { filter: { id: LOAD_FILTER }, handler: loadImage },
        }),

    async buildEnd() {
      try {
        await Promise.all(writes);
      } finally {
        writes.length = 0;
      }
      const cacheDir = engine.cacheDir;
      const removed = await engine.finish({ failed });
      if (cacheDir && removed && (removed.entries.length > 0 || removed.files.length > 0)) {
        logger.info(
          `seedream: pruned ${removed.entries.length} unused entr${removed.entries.length === 1 ? 'y' : 'ies'} and ${removed.files.length} file(s) from ${relative(engine.root, cacheDir) || '.'}`,
        );
      }
    },

    esbuild: {
      // Native filters: esbuild calls into JavaScript only for `seedream:` imports (unplugin's default is every path).
      onResolveFilter: INLINE_FILTER,
      onLoadFilter: LOAD_FILTER,
      config(options) {
        esbuildOutdir = options.outdir;
      },
      setup: (build) =>
        esbuildNamedImages(build, {
          ...aliasHost(esModule),
          pluginName: PLUGIN_NAME,
          outdir: () => esbuildOutdir,
          emitted: (file) => void emitted.add(file),
        }),
    },

    vite: {
      configResolved(config) {
        root ??= config.root;
      },
    },

    // Merged into the Rolldown plugin by unplugin (its own buildStart would replace the one above).
    rolldown: {
      options: rolldownImages.options,
      generateBundle: rolldownImages.generateBundle,
    },

    rspack(compiler) {
      if (!rspackFiles) return;
      const aliased = rspackNamedImages(compiler, PLUGIN_NAME, aliasHost(jsonModule));
      rspackImageModules(compiler, { ...imageModules, aliased });
    },

    webpack(compiler) {
      webpackImageModules(compiler, imageModules);
    },
  };
};

/** The ES module of an image (default and named exports), its URLs known at build time. */
function esModule({ src, facts, alt, variants = [] }: ImageValueInput): string {
  const literal = (url: string) => JSON.stringify(url);
  return moduleCode({ src: literal(src), facts, alt, variants: variants.map((variant) => ({ ...variant, url: literal(variant.url) })) });
}

/** webpack's image module. `sources[].srcset` are `srcset`'s strings, written once (as moduleCode does). */
function commonJsModule(value: SeedreamImage): string {
  const { srcset, sources, ...fields } = value;
  if (sources.length === 0) return `module.exports = ${JSON.stringify(value)};\n`;
  const formats = Object.keys(srcset);
  const picture = sources.map((source, i) => `{"type":${JSON.stringify(source.type)},"srcset":srcset[${JSON.stringify(formats[i])}]}`);
  return `const srcset = ${JSON.stringify(srcset)};\nmodule.exports = {${JSON.stringify(fields).slice(1, -1)},"srcset":srcset,"sources":[${picture.join(',')}]};\n`;
}

/** The plugin for every bundler: `.webpack()`, `.rspack()`, `.rollup()`, `.esbuild()`, `.rolldown()`, `.vite()`. */
export const seedreamUnplugin: UnpluginInstance<SeedreamUnpluginOptions | undefined> = createUnplugin(seedreamUnpluginFactory);

/**
 * Rolldown: named images the cache answers as they are resolve without calling into JavaScript, as for esbuild
 * (esbuild-images.ts). Every plugin hook is a round trip between Rolldown's Rust threads and Node; two per image
 * were most of what a warm build of 100 images cost over plain image imports.
 *
 * In the `options` hook each such image becomes a `resolve.alias` of a module file (content-addressed, under
 * `node_modules/.cache/seedream-kit/rolldown`) and the plugin's resolve filter leaves exactly those names out
 * (Rolldown reads hook filters after its `options` hooks). Working that out means reading the lock file and
 * computing every image's request, which cost as much as the hooks it saves; so the outcome (the decision) is kept
 * beside the modules, in `aliases.json`, and reused while nothing it depends on changed:
 * - the lock file's text, the options that shape a module (root, images, defaults, cache folder, `publicPath`,
 *   `assetsDir`), the kind of backend (offline, the emulator, or the API: a key turns emulator art into misses),
 *   and samples of this version's request keys, module code and file names;
 * - each image's cache file, by size and modification time (checked every build), and the module files.
 * The images are emitted in `generateBundle`, for the modules the build holds, read synchronously (reading
 * them while Rolldown builds was slower) and checked against their SHA-256: an image altered behind an
 * unchanged size and time fails the build, and the next build decides again.
 *
 * Watch mode and `prune` keep every import on the per-import path (reference files are watched per import;
 * prune keeps what a build imports).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ArtEngine, LOCK_FILE } from '@seedream-kit/art';
import { writeFileAtomic } from '@seedream-kit/core/node';
import { type CachedModule, moduleFileName, modulesFolder, writeMissing } from './cached-modules.js';
import { escapeRegExp } from './escape-regexp.js';
import { exceptPattern } from './except-pattern.js';

export interface RolldownImageHost {
  engine: ArtEngine;
  /** Points the engine at the project (as `buildStart` does). */
  configure(): void;
  /** The module of a named image the cache answers as it is, or undefined (then it is resolved per import). */
  cachedModule(name: string): Promise<CachedModule | undefined>;
  /**
   * What else a module depends on, beyond the lock file and the images: the adapter's options (`publicPath`,
   * `assetsDir`) and samples of its module code and file names (a new version of the kit decides again).
   */
  moduleShape(): Promise<unknown>;
  /** The plugin's resolve filter, narrowed in place. */
  resolveFilter: { id: RegExp };
}

/** The parts of Rolldown's plugin context and input options used here. */
interface OptionsContext {
  meta: { watchMode: boolean };
}
interface InputOptionsLike {
  resolve?: { alias?: Record<string, string[] | string | false> } & Record<string, unknown>;
}
interface BundleContext {
  getModuleIds(): IterableIterator<string>;
  emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): string;
  error(message: string): never;
}

/** A named image answered through an alias, as kept in `aliases.json`. */
interface AliasedImage {
  name: string;
  key: string;
  /** Module file name inside the modules folder. */
  module: string;
  /** Output file name (`assets/hero-0a1b2c3d.png`). */
  file: string;
  /** Cache file name inside the cache folder, its SHA-256, size and modification time. */
  cacheFile: string;
  sha256: string;
  size: number;
  mtimeMs: number;
}

interface Decision {
  version: 1;
  key: string;
  images: AliasedImage[];
}

const PREFIX = 'seedream:';
const DECISION_FILE = 'aliases.json';
/** A sample spec whose request key stands for this version's key algorithm. */
const SAMPLE_SPEC = { prompt: 'seedream-kit: sample of the request key' };

export function rolldownNamedImages(host: RolldownImageHost) {
  const { engine } = host;
  const fullFilter = host.resolveFilter.id;
  /** This build's aliased images, with their module paths (none: every import goes through the plugin). */
  let aliased: Array<AliasedImage & { modulePath: string }> = [];
  let decisionPath: string | undefined;

  /** The decision's key: everything the aliased modules depend on, besides each image's file. */
  async function decisionKey(lockText: string): Promise<string> {
    const { options } = engine;
    const backend = engine.offline ? 'offline' : engine.apiKey() === undefined ? 'emulator' : 'api';
    const sampleKey = (await engine.requestFor(SAMPLE_SPEC, 'sample')).key;
    const inputs = [engine.root, engine.cacheDir, options.images, options.defaults ?? null, backend, sampleKey, await host.moduleShape()];
    return createHash('sha256').update(JSON.stringify(inputs)).update('\0').update(lockText).digest('hex');
  }

  /** The kept decision, when its key matches and every image file and module is as it was. */
  function keptDecision(path: string, key: string, modulesDir: string, cacheDir: string): Decision | undefined {
    let decision: Decision;
    try {
      decision = JSON.parse(readFileSync(path, 'utf8')) as Decision;
      if (decision.version !== 1 || decision.key !== key || !Array.isArray(decision.images)) return undefined;
      const modules = new Set(readdirSync(modulesDir));
      for (const image of decision.images) {
        if (!modules.has(image.module)) return undefined;
        const stats = statSync(join(cacheDir, image.cacheFile));
        if (stats.size !== image.size || stats.mtimeMs !== image.mtimeMs) return undefined;
      }
    } catch {
      return undefined;
    }
    return decision;
  }

  /** Works the decision out from the lock file (each image read and checked once), writes its modules and keeps it. */
  async function decide(path: string, key: string, modulesDir: string, cacheDir: string): Promise<Decision> {
    const images: AliasedImage[] = [];
    const modules: CachedModule[] = [];
    let corrupt = false;
    try {
      // An image that fails here fails on the per-import path too, with the plugin's error.
      const found = await Promise.all([...engine.named.keys()].map((name) => host.cachedModule(name).catch(() => undefined)));
      const store = (await engine.generator()).store;
      for (const module of found) {
        if (!module) continue;
        // A cache file that is missing or altered is left to the per-import path (which regenerates it).
        if ((await store.read(module.key)).status !== 'hit') {
          corrupt = true;
          continue;
        }
        const stats = statSync(join(cacheDir, module.entry.file));
        modules.push(module);
        images.push({
          name: module.name,
          key: module.key,
          module: moduleFileName(module),
          file: module.file,
          cacheFile: module.entry.file,
          sha256: module.entry.sha256,
          size: stats.size,
          mtimeMs: stats.mtimeMs,
        });
      }
    } finally {
      // Opened to read the lock file; each build opens it again (buildStart).
      await engine.close({ abort: false });
    }
    await writeMissing(
      modulesDir,
      modules.map((module) => ({ path: join(modulesDir, moduleFileName(module)), bytes: () => Promise.resolve(module.code) })),
    );
    const decision: Decision = { version: 1, key, images };
    // This build regenerates a corrupt image, maybe to the same bytes and lock entry: the next build decides again.
    if (corrupt) rmSync(path, { force: true });
    else await writeFileAtomic(path, JSON.stringify(decision), { durable: false });
    return decision;
  }

  return {
    async options(this: OptionsContext, input: InputOptionsLike): Promise<InputOptionsLike | null> {
      aliased = [];
      decisionPath = undefined;
      host.resolveFilter.id = fullFilter;
      if (this.meta.watchMode || engine.prunes || engine.named.size === 0) return null;
      host.configure();
      const cacheDir = engine.cacheDir!;
      let lockText: string;
      try {
        lockText = readFileSync(join(cacheDir, LOCK_FILE), 'utf8');
      } catch {
        return null; // nothing cached yet
      }
      const modulesDir = modulesFolder(engine.root, 'rolldown');
      const path = join(modulesDir, DECISION_FILE);
      let decision: Decision;
      try {
        const key = await decisionKey(lockText);
        decision = keptDecision(path, key, modulesDir, cacheDir) ?? (await decide(path, key, modulesDir, cacheDir));
      } catch {
        // A bad option or an unwritable modules folder: the per-import path runs (and reports what is wrong).
        return null;
      }
      if (decision.images.length === 0) return null;
      decisionPath = path;
      aliased = decision.images.map((image) => ({ ...image, modulePath: join(modulesDir, image.module) }));
      host.resolveFilter.id = new RegExp(`^${escapeRegExp(PREFIX)}${exceptPattern(aliased.map((image) => image.name))}`);
      const alias = Object.fromEntries(aliased.map((image) => [PREFIX + image.name, image.modulePath]));
      return { ...input, resolve: { ...input.resolve, alias: { ...input.resolve?.alias, ...alias } } };
    },

    /** Emits the image of every aliased module this build holds. */
    generateBundle(this: BundleContext): void {
      if (aliased.length === 0) return;
      const cacheDir = engine.cacheDir!;
      const held = new Set(this.getModuleIds());
      const written = new Set<string>();
      for (const image of aliased) {
        if (!held.has(image.modulePath) || written.has(image.file)) continue;
        let bytes: Uint8Array | undefined;
        try {
          bytes = readFileSync(join(cacheDir, image.cacheFile));
        } catch {
          bytes = undefined;
        }
        if (!bytes || createHash('sha256').update(bytes).digest('hex') !== image.sha256) {
          // The module already names the old file: this build cannot be right. The next one decides again.
          if (decisionPath) rmSync(decisionPath, { force: true });
          this.error(
            `seedream: "${image.name}": ${image.cacheFile} in the cache folder ${bytes ? 'changed' : 'went away'} since this build's modules were made (its size and modification time did not change); build again`,
          );
        }
        written.add(image.file);
        engine.markUsed(image.key);
        this.emitFile({ type: 'asset', fileName: image.file, source: bytes });
      }
    },
  };
}

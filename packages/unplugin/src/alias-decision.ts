/**
 * Which named images a build may take through an alias, worked out once and kept between builds (the fast paths
 * of esbuild, Rolldown and Rspack: esbuild-images.ts, rolldown-images.ts, rspack-images.ts). Working it out means reading the lock file and
 * computing every image's request, which costs as much as the per-import hooks it saves; so the outcome is kept
 * beside the module files, in `aliases.json`, and reused while nothing it depends on changed:
 * - the lock file's text, the options that shape a module (root, images, defaults, cache folder, and what the
 *   adapter adds: `publicPath`, `assetsDir`), the kind of backend (offline, the emulator, or the API: a key turns
 *   emulator art into misses), and samples of this version's request keys, module code and file names;
 * - each image's cache file, by size and modification time (checked every build), and the module files.
 * The images themselves are read when emitted, and checked against their SHA-256 (readAliasedImage): an image
 * altered behind an unchanged size and time fails that build, and the next build works the decision out again.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ArtEngine, LOCK_FILE } from '@seedream-kit/art';
import { writeFileAtomic } from '@seedream-kit/core/node';
import { type CachedModule, moduleFileName, modulesFolder, writeMissing } from './cached-modules.js';

export interface AliasDecisionHost {
  engine: ArtEngine;
  /** Points the engine at the project (as `buildStart` does). */
  configure(): void;
  /** The module of a named image the cache answers as it is (in the bundler's format), or undefined. */
  cachedModule(name: string): Promise<CachedModule | undefined>;
  /**
   * What else a module depends on, beyond the lock file and the images: the adapter's options (`publicPath`,
   * `assetsDir`) and samples of its module code and file names (a new version of the kit decides again).
   */
  moduleShape: unknown;
}

/** A named image answered through an alias, as kept in `aliases.json`. */
export interface AliasedImage {
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

/** This build's aliased images, with their module files' paths. */
export interface AliasDecision {
  images: Array<AliasedImage & { modulePath: string }>;
  /** `aliases.json`, removed when an image turns out altered. */
  path: string;
}

interface KeptDecision {
  version: 1;
  key: string;
  images: AliasedImage[];
}

const DECISION_FILE = 'aliases.json';
/** A sample spec whose request key stands for this version's key algorithm. */
const SAMPLE_SPEC = { prompt: 'seedream-kit: sample of the request key' };

/**
 * The decision for this build: kept, or worked out (and its modules written). Undefined when nothing is cached
 * yet, no image qualifies, or something is wrong (a bad option, an unwritable folder): then every import goes
 * through the plugin, which reports what is wrong.
 */
export async function aliasDecision(
  host: AliasDecisionHost,
  bundler: 'esbuild' | 'rolldown' | 'rspack',
  extension: 'js' | 'json',
): Promise<AliasDecision | undefined> {
  const { engine } = host;
  host.configure();
  const cacheDir = engine.cacheDir!;
  let lockText: string;
  try {
    lockText = readFileSync(join(cacheDir, LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const modulesDir = modulesFolder(engine.root, bundler);
  const path = join(modulesDir, DECISION_FILE);
  let kept: KeptDecision;
  try {
    const key = await decisionKey(host, lockText);
    kept = keptDecision(path, key, modulesDir, cacheDir) ?? (await decide(host, { path, key, modulesDir, cacheDir, extension }));
  } catch {
    return undefined;
  }
  if (kept.images.length === 0) return undefined;
  return { path, images: kept.images.map((image) => ({ ...image, modulePath: join(modulesDir, image.module) })) };
}

/** An aliased image's bytes, checked against its SHA-256; otherwise the decision is dropped and the error says why. */
export function readAliasedImage(decision: AliasDecision, image: AliasedImage, cacheDir: string): { bytes: Uint8Array } | { error: string } {
  let bytes: Uint8Array | undefined;
  try {
    bytes = readFileSync(join(cacheDir, image.cacheFile));
  } catch {
    bytes = undefined;
  }
  if (bytes && createHash('sha256').update(bytes).digest('hex') === image.sha256) return { bytes };
  // The module already names the old file: this build cannot be right. The next one decides again.
  rmSync(decision.path, { force: true });
  return {
    error: `seedream: "${image.name}": ${image.cacheFile} in the cache folder ${bytes ? 'changed' : 'went away'} since this build's modules were made; build again`,
  };
}

/** The decision's key: everything the aliased modules depend on, besides each image's file. */
async function decisionKey(host: AliasDecisionHost, lockText: string): Promise<string> {
  const { engine } = host;
  const backend = engine.offline ? 'offline' : engine.apiKey() === undefined ? 'emulator' : 'api';
  const sampleKey = (await engine.requestFor(SAMPLE_SPEC, 'sample')).key;
  const inputs = [engine.root, engine.cacheDir, engine.options.images, engine.options.defaults ?? null, backend, sampleKey, host.moduleShape];
  return createHash('sha256').update(JSON.stringify(inputs)).update('\0').update(lockText).digest('hex');
}

/** The kept decision, when its key matches and every image file and module is as it was. */
function keptDecision(path: string, key: string, modulesDir: string, cacheDir: string): KeptDecision | undefined {
  let decision: KeptDecision;
  try {
    decision = JSON.parse(readFileSync(path, 'utf8')) as KeptDecision;
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
async function decide(
  { engine, cachedModule }: AliasDecisionHost,
  where: { path: string; key: string; modulesDir: string; cacheDir: string; extension: 'js' | 'json' },
): Promise<KeptDecision> {
  const images: AliasedImage[] = [];
  const modules: CachedModule[] = [];
  let corrupt = false;
  try {
    // An image that fails here fails on the per-import path too, with the plugin's error.
    const found = await Promise.all([...engine.named.keys()].map((name) => cachedModule(name).catch(() => undefined)));
    const store = (await engine.generator()).store;
    for (const module of found) {
      if (!module) continue;
      // A cache file that is missing or altered is left to the per-import path (which regenerates it).
      if ((await store.read(module.key)).status !== 'hit') {
        corrupt = true;
        continue;
      }
      const stats = statSync(join(where.cacheDir, module.entry.file));
      modules.push(module);
      images.push({
        name: module.name,
        key: module.key,
        module: moduleFileName(module, where.extension),
        file: module.file,
        cacheFile: module.entry.file,
        sha256: module.entry.sha256,
        size: stats.size,
        mtimeMs: stats.mtimeMs,
      });
    }
  } finally {
    // Opened to read the lock file; each build opens it again.
    await engine.close({ abort: false });
  }
  await writeMissing(
    where.modulesDir,
    modules.map((module) => ({ path: join(where.modulesDir, moduleFileName(module, where.extension)), bytes: () => Promise.resolve(module.code) })),
  );
  const decision: KeptDecision = { version: 1, key: where.key, images };
  // This build regenerates a corrupt image, maybe to the same bytes and lock entry: the next build decides again.
  if (corrupt) rmSync(where.path, { force: true });
  else await writeFileAtomic(where.path, JSON.stringify(decision), { durable: false });
  return decision;
}

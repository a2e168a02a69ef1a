/**
 * The fixture of the alias fast paths' tests (esbuild.test.ts, rolldown.test.ts): three named images, of which
 * `card` and `boat` have no reference file (the fast path takes them once cached) and `hero` has one
 * (src/ref.png), plus an inline image.
 */
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { SeedreamUnpluginOptions } from '../src/index.js';
import { copyFixture, evaluate, fixtureOptions, IMAGES, type Messages, testEmulator } from './helpers.js';

export const WITH_BOAT = { ...IMAGES, boat: 'a paper boat on a lake' };
export const MAIN = [
  "import hero from 'seedream:hero';",
  "import card, { width as cardWidth } from 'seedream:card';",
  "import boat from 'seedream:boat';",
  "import kite from 'seedream:?prompt=a%20red%20kite&model=doubao-seedream-3-0-t2i-250415&size=512x512';",
  'globalThis.seedreamImages = { hero, card, cardWidth, boat, kite };',
  '',
].join('\n');

export type Image = { src: string; width: number; alt: string; placeholder: string };
export type Images = Record<'hero' | 'card' | 'boat' | 'kite', Image> & { cardWidth: number };

/** A copy of the fixture app importing MAIN, with a fresh emulator and options for WITH_BOAT. */
export async function project(extra: SeedreamUnpluginOptions = {}) {
  const emulator = await testEmulator();
  const root = await copyFixture();
  await writeFile(join(root, 'src/main.js'), MAIN);
  const messages: Messages = { info: [], warn: [] };
  const options = { ...fixtureOptions(root, emulator, messages), images: WITH_BOAT, ...extra };
  return { emulator, root, messages, options };
}

/** Runs the build in `outDir` and checks the images it exports (and that their files are there). */
export async function checkImages(outDir: string): Promise<Images> {
  const images = (await evaluate(outDir)) as unknown as Images;
  expect(images.card).toMatchObject({ width: 512, alt: 'a paper boat on a pond' });
  expect(images.cardWidth).toBe(512);
  expect(images.boat).toMatchObject({ width: 512, alt: 'a paper boat on a lake' });
  expect(images.hero).toMatchObject({ width: 1280, alt: 'Lighthouse' });
  for (const image of [images.hero, images.card, images.boat, images.kite]) {
    expect((await readFile(join(outDir, image.src))).byteLength).toBeGreaterThan(0);
  }
  return images;
}

/** The lock entry of a prompt. */
export async function entryOf(root: string, prompt: string): Promise<{ file: string; sha256: string }> {
  const lock = JSON.parse(await readFile(join(root, '.seedream/seedream.lock.json'), 'utf8'));
  return Object.values(lock.entries as Record<string, { file: string; sha256: string; request: { prompt: string } }>).find(
    (entry) => entry.request.prompt === prompt,
  )!;
}

/** The prompts the lock file holds, sorted. */
async function lockedPrompts(root: string): Promise<string[]> {
  const lock = JSON.parse(await readFile(join(root, '.seedream/seedream.lock.json'), 'utf8'));
  return Object.values(lock.entries as Record<string, { request: { prompt: string } }>)
    .map((entry) => entry.request.prompt)
    .sort();
}

/** The app of the prune tests: boat and the kite no longer imported. */
const HERO_AND_CARD = "import hero from 'seedream:hero';\nimport card from 'seedream:card';\nglobalThis.seedreamImages = { hero, card };\n";

/** A build of `root/src/main.js` into `root/out` by a fast path's bundler: image modules through the fast path, and through the plugin. */
export type FastPathBuild = (root: string, options: SeedreamUnpluginOptions, out: string) => Promise<{ aliased: number; loaded: number; assets: string[] }>;
type Project = Awaited<ReturnType<typeof project>>;

/**
 * Cold, then warm: card and boat through the fast path, hero (a reference file) and the inline kite through the
 * plugin, with the same images and files. The first warm build works the decision out (the lock file changed in
 * the cold build) and keeps it in `modulesDir/aliases.json`; the next one reuses it as it is.
 */
export async function expectWarmFromKeptDecision(build: FastPathBuild, { emulator, root, options }: Project, modulesDir: string): Promise<void> {
  const cold = await build(root, options, 'dist-cold');
  expect(emulator.log.generations()).toHaveLength(4);
  expect(cold).toMatchObject({ aliased: 0, loaded: 4 });
  const first = await checkImages(join(root, 'dist-cold'));

  const warm = await build(root, options, 'dist-warm');
  expect(emulator.log.generations()).toHaveLength(4);
  expect(warm).toMatchObject({ aliased: 2, loaded: 2 });
  expect(warm.assets.sort()).toEqual(cold.assets.sort());
  expect(await checkImages(join(root, 'dist-warm'))).toEqual(first);
  const decision = await stat(join(modulesDir, 'aliases.json'));

  const again = await build(root, options, 'dist-again');
  expect(again).toMatchObject({ aliased: 2, loaded: 2 });
  expect((await stat(join(modulesDir, 'aliases.json'))).mtimeMs).toBe(decision.mtimeMs);
  expect(await checkImages(join(root, 'dist-again'))).toEqual(first);
  for (const file of cold.assets) {
    expect(await readFile(join(root, 'dist-again', file))).toEqual(await readFile(join(root, 'dist-cold', file)));
  }
}

/**
 * A kept decision's image altered behind the same size and modification time: that build fails (the hash check
 * when the image is emitted), and the next one decides again and regenerates it through the plugin.
 */
export async function expectSameSizeAlterationCaught(build: FastPathBuild, { emulator, root, options }: Project): Promise<void> {
  const path = join(root, '.seedream', (await entryOf(root, 'a paper boat on a lake')).file);
  await pinTime(path);
  expect((await build(root, options, 'dist-pinned')).aliased).toBe(2);
  const generated = emulator.log.generations().length;
  await alterBehindSameSizeAndTime(path);
  await expect(build(root, options, 'dist-altered')).rejects.toThrow(/"boat": [0-9a-f]{16}\.jpg in the cache folder changed since .*build again/);
  const next = await build(root, options, 'dist-after');
  expect(next).toMatchObject({ aliased: 1, loaded: 3 });
  expect(emulator.log.generations()).toHaveLength(generated + 1);
  await checkImages(join(root, 'dist-after'));
}

/** With `prune`, every import goes through the plugin (which sees what a build uses), and the lock keeps just those. */
export async function expectPruneKeepsWhatIsUsed(build: FastPathBuild, { root, options }: Project): Promise<void> {
  await build(root, options, 'dist-1');
  await writeFile(join(root, 'src/main.js'), HERO_AND_CARD);
  expect(await build(root, { ...options, prune: true }, 'dist-pruned')).toMatchObject({ aliased: 0, loaded: 2 });
  expect(await lockedPrompts(root)).toEqual(['a lighthouse at dusk', 'a paper boat on a pond']);
}

/** A whole second, which utimes sets exactly, so that an alteration can put the time back. */
const PINNED_TIME = 1_700_000_000;

/** Pins a cache file's modification time (before the build that keeps a decision about it). */
const pinTime = (path: string): Promise<void> => utimes(path, PINNED_TIME, PINNED_TIME);

/** Alters a pinned cache file's last byte, keeping its size and modification time: only a hash check sees it. */
async function alterBehindSameSizeAndTime(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0xff;
  await writeFile(path, bytes);
  await pinTime(path);
}

/** The four images of a build with `publicPath: '/static/'` and `assetsDir: 'img'`: their URLs, and their files in `outDir`. */
export async function expectMovedImages(outDir: string): Promise<void> {
  const images = (await evaluate(outDir)) as unknown as Images;
  for (const image of [images.hero, images.card, images.boat, images.kite]) {
    expect(image.src).toMatch(/^\/static\/img\/[a-z-]+-[0-9a-f]{8}\.(png|jpg)$/);
    expect((await readFile(join(outDir, image.src.slice('/static/'.length)))).byteLength).toBeGreaterThan(0);
  }
}

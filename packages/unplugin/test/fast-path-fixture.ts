/**
 * The fixture of the alias fast paths' tests (esbuild.test.ts, rolldown.test.ts): three named images, of which
 * `card` and `boat` have no reference file (the fast path takes them once cached) and `hero` has one
 * (src/ref.png), plus an inline image.
 */
import { readFile, writeFile } from 'node:fs/promises';
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

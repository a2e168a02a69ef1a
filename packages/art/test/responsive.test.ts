/**
 * Responsive variants through the engine, against a real emulator: derived with sharp from the one generated
 * image (decoded here to check width, height and format), content-addressed beside it in the cache, read back
 * by a later build without any work, and turned into valid `srcset` strings by the module code.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@seedream-kit/emulator';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArtEngine, imageJsonExpression, imageValue, moduleCode, parseSpecifier, sha256 } from './engine-exports.js';

const FAKE_KEY = `${['sk', 'test', 'SEEDREAM', 'FAKE', 'KEY'].join('-')}-${'5f4e3d2c1b'.repeat(3)}`;
const SPEC = '?prompt=a%20quiet%20bay&model=doubao-seedream-3-0-t2i-250415&size=640x480&w=256;512;4000&format=avif;webp;jpeg';

let emulator: Emulator;
const dirs: string[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [FAKE_KEY] });
});
afterAll(() => emulator.close());
afterEach(async () => {
  emulator.log.clear();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function engineIn(root: string, extra = {}): Promise<ArtEngine> {
  const engine = new ArtEngine({ apiKey: FAKE_KEY, baseURL: emulator.baseURL, offline: false, ...extra });
  engine.configure({ root, log: { info: () => undefined, warn: () => undefined } });
  return engine;
}

const normalFormat = (format: string | undefined) => (format === 'heif' ? 'avif' : format);

describe('responsive variants', () => {
  it('derives every width × format from the one generated image, caches them content-addressed, and reads them back for free', async () => {
    const root = await mkdtemp(join(tmpdir(), 'seedream-responsive-'));
    dirs.push(root);
    const engine = await engineIn(root);
    const request = await engine.request(`seedream:${SPEC}`);
    expect(request.responsive).toEqual({ widths: [256, 512, 4000], formats: ['avif', 'webp', 'jpeg'] });
    const image = await engine.image(request);
    const variants = await engine.variants(image);
    expect(emulator.log.generations()).toHaveLength(1);

    // 4000 is wider than the image: clamped to 640.
    expect(variants.map((variant) => `${variant.width}w.${variant.format}`).sort()).toEqual(
      ['256w.avif', '256w.jpeg', '256w.webp', '512w.avif', '512w.jpeg', '512w.webp', '640w.avif', '640w.jpeg', '640w.webp'].sort(),
    );
    for (const variant of variants) {
      const metadata = await sharp(variant.bytes).metadata();
      expect([normalFormat(metadata.format), metadata.width, metadata.height]).toEqual([variant.format, variant.width, (variant.width * 480) / 640]);
      expect(variant.file).toBe(`${sha256(variant.bytes).slice(0, 16)}.${variant.extension}`);
      expect((await readFile(join(root, '.seedream', variant.file!))).equals(Buffer.from(variant.bytes))).toBe(true);
    }
    await engine.finish({ failed: false });
    const lock = JSON.parse(await readFile(join(root, '.seedream/seedream.lock.json'), 'utf8'));
    const [entry] = Object.values(lock.entries) as { variants: Record<string, { file: string; width: number; format: string }> }[];
    expect(Object.keys(entry!.variants).sort()).toEqual(variants.map((variant) => `${variant.width}w.${variant.format}`).sort());

    // A later build (a new engine): no generation, no encoding, no file touched, the same bytes.
    const files = await readdir(join(root, '.seedream'));
    const times = await Promise.all(files.map(async (file) => (await stat(join(root, '.seedream', file))).mtimeMs));
    const warm = await engineIn(root);
    const again = await warm.variants(await warm.image(await warm.request(`seedream:${SPEC}`)));
    await warm.finish({ failed: false });
    expect(emulator.log.generations()).toHaveLength(1);
    expect(again.map((variant) => variant.file)).toEqual(variants.map((variant) => variant.file));
    expect(await Promise.all(files.map(async (file) => (await stat(join(root, '.seedream', file))).mtimeMs))).toEqual(times);

    // A deleted variant is derived again, to the same bytes (sharp is deterministic), still without a generation.
    const lost = variants.find((variant) => variant.format === 'avif' && variant.width === 512)!;
    await rm(join(root, '.seedream', lost.file!));
    const repaired = await engineIn(root);
    await repaired.variants(await repaired.image(await repaired.request(`seedream:${SPEC}`)));
    await repaired.finish({ failed: false });
    expect((await readFile(join(root, '.seedream', lost.file!))).equals(Buffer.from(lost.bytes))).toBe(true);
    expect(emulator.log.generations()).toHaveLength(1);

    // Pruning the entry removes its variants too.
    const pruner = await engineIn(root, { prune: true });
    await pruner.generator();
    await pruner.finish({ failed: false });
    expect(await readdir(join(root, '.seedream'))).toEqual(['seedream.lock.json']);
  });

  it('offline art gets its variants in memory, never in the cache', async () => {
    const root = await mkdtemp(join(tmpdir(), 'seedream-responsive-'));
    dirs.push(root);
    const engine = await engineIn(root, { offline: true });
    const image = await engine.image(await engine.request(`seedream:${SPEC}`));
    const variants = await engine.variants(image);
    expect(variants).toHaveLength(9);
    expect(variants.every((variant) => variant.file === undefined)).toBe(true);
    await engine.finish({ failed: false });
    expect(emulator.log.entries).toHaveLength(0);
    await expect(readdir(join(root, '.seedream'))).rejects.toThrow(/ENOENT/);
  });

  it('module code: one valid srcset per format in the asked order, and the <picture> sources', async () => {
    const code = moduleCode({
      src: JSON.stringify('/a.jpg'),
      facts: { width: 640, height: 480, format: 'jpeg', placeholder: 'data:image/webp;base64,' },
      alt: 'Bay',
      variants: [
        { url: JSON.stringify('/b-512.webp'), width: 512, format: 'webp' },
        { url: JSON.stringify('/b-256.avif'), width: 256, format: 'avif' },
        { url: JSON.stringify('/b-256.webp'), width: 256, format: 'webp' },
        { url: JSON.stringify('/b-512.avif'), width: 512, format: 'avif' },
      ],
    });
    const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    expect(module.srcset).toEqual({ webp: '/b-256.webp 256w, /b-512.webp 512w', avif: '/b-256.avif 256w, /b-512.avif 512w' });
    expect(module.sources).toEqual([
      { type: 'image/webp', srcset: '/b-256.webp 256w, /b-512.webp 512w' },
      { type: 'image/avif', srcset: '/b-256.avif 256w, /b-512.avif 512w' },
    ]);
    // A srcset candidate is "<url> <width>w", comma-separated.
    for (const source of module.sources as { srcset: string }[]) expect(source.srcset).toMatch(/^(\S+ \d+w)(, \S+ \d+w)*$/);
    expect(module.default).toMatchObject({ src: '/a.jpg', width: 640, height: 480, alt: 'Bay', format: 'jpeg' });
  });

  it('imageValue, as JSON.parse code: the value moduleCode exports, field for field (awkward strings too)', async () => {
    const alt = `It's a "bay" \\ \u2028 café </script>`;
    const facts = { width: 640, height: 480, format: 'jpeg', placeholder: 'data:image/webp;base64,AAAA' } as const;
    const variants = [
      { url: "/b-512.webp'", width: 512, format: 'webp' },
      { url: '/b-256.avif', width: 256, format: 'avif' },
      { url: '/b-256.webp', width: 256, format: 'webp' },
    ] as const;
    const literal = (url: string) => JSON.stringify(url);
    const code = moduleCode({ src: literal('/a.jpg'), facts, alt, variants: variants.map((v) => ({ ...v, url: literal(v.url) })) });
    const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    const value = imageValue({ src: '/a.jpg', facts, alt, variants });
    const json = await import(`data:text/javascript;base64,${Buffer.from(`export default ${imageJsonExpression(value)};`).toString('base64')}`);
    for (const parsed of [value, json.default]) {
      expect(Object.keys(parsed)).toEqual(Object.keys(module.default));
      expect(parsed).toStrictEqual({ ...module.default });
    }
  });

  it('rejects malformed responsive parameters', () => {
    expect(() => parseSpecifier('?prompt=a&w=640;big')).toThrow(/`widths` must be a non-empty list of integers/);
    expect(() => parseSpecifier('?prompt=a&w=640&format=gif')).toThrow(/`formats` must be a non-empty list of "avif", "webp", "png", "jpeg"/);
    expect(() => parseSpecifier('?prompt=a&format=avif')).toThrow(/`formats` needs `widths`/);
    expect(() => parseSpecifier('?prompt=a&widths=640')).toThrow(/inline, `widths` is written `w`/);
    expect(() => parseSpecifier('?prompt=a&w=640&w=320')).toThrow(/given twice/);
    expect(parseSpecifier('?prompt=a&w=640;320&format=avif')).toMatchObject({ spec: { widths: [640, 320], formats: ['avif'] } });
  });
});

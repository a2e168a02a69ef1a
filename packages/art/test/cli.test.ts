/**
 * The real `seedream` bin (dist/cli.js, built first by turbo) in a child process, against a real emulator over
 * HTTP on 127.0.0.1: generate (plain lines when piped, a bar on a terminal), the modules it writes, check,
 * prune, offline mode and manifest errors that name their line.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Emulator, startEmulator } from '@seedream-kit/emulator';
import esbuild from 'esbuild';
import sharp from 'sharp';
import type { SeedreamImage } from '../src/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const FAKE_KEY = `${['sk', 'test', 'SEEDREAM', 'FAKE', 'KEY'].join('-')}-${'0a9b8c7d6e'.repeat(3)}`;
const MODEL = 'doubao-seedream-3-0-t2i-250415';

const MANIFEST = {
  images: {
    hero: { prompt: 'a lighthouse at dusk', size: '640x480', alt: 'Lighthouse', widths: [160, 320], formats: ['avif', 'webp'] },
    'blog/cover': 'a paper boat on a pond',
  },
  defaults: { model: MODEL, size: '512x512' },
  out: 'src/art',
};

let emulator: Emulator;
const dirs: string[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ apiKeys: [FAKE_KEY] });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(async () => {
  emulator.log.clear();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function project(manifest: unknown = MANIFEST, text?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seedream-cli-'));
  dirs.push(dir);
  await writeFile(join(dir, 'seedream.images.json'), text ?? `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The bin with the test key and the emulator as its endpoint (CI unset unless `env` sets it). */
function seedream(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { CI: _ci, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...inherited, COMETAPI_KEY: FAKE_KEY, COMETAPI_BASE_URL: emulator.baseURL, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function importFresh<T>(path: string): Promise<T> {
  return (await import(`${pathToFileURL(path).href}?v=${Math.random()}`)) as T;
}

/** What a written module exports: the package's own image type. */
type ImageModule = SeedreamImage;

describe('seedream generate', () => {
  it('fills the cache, prints one plain line per image when not a terminal, and writes typed modules that work', async () => {
    const dir = await project();
    const run = await seedream(dir, ['generate']);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stderr).not.toContain('\r');
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe('seedream: generating 2 images');
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^seedream: \[[12]\/2\] blog\/cover 512x512 jpeg$/),
      expect.stringMatching(/^seedream: \[[12]\/2\] hero 640x480 jpeg$/),
    ]);
    expect(run.stdout).toMatch(/2 images, 2 generated, 0 cached in \.seedream; 4 module file\(s\) written to src\/art/);
    expect(emulator.log.generations()).toHaveLength(2);

    const hero = (await importFresh<{ default: ImageModule }>(join(dir, 'src/art/hero.js'))).default;
    expect(hero).toMatchObject({ width: 640, height: 480, format: 'jpeg', alt: 'Lighthouse' });
    expect(await sharp(fileURLToPath(hero.src)).metadata()).toMatchObject({ width: 640, height: 480, format: 'jpeg' });
    expect(hero.sources.map((source) => source.type)).toEqual(['image/avif', 'image/webp']);
    for (const [format, srcset] of Object.entries(hero.srcset)) {
      const candidates = srcset.split(', ').map((candidate) => candidate.split(' '));
      expect(candidates.map(([, width]) => width)).toEqual(['160w', '320w']);
      for (const [url, width] of candidates) {
        const metadata = await sharp(fileURLToPath(url!)).metadata();
        expect([metadata.format === 'heif' ? 'avif' : metadata.format, `${metadata.width}w`]).toEqual([format, width]);
      }
    }
    const cover = await importFresh<ImageModule & { default: ImageModule }>(join(dir, 'src/art/blog/cover.js'));
    expect(cover.default).toMatchObject({ width: 512, height: 512, alt: 'a paper boat on a pond', srcset: {}, sources: [] });
    expect(cover.width).toBe(512);
    expect(await readFile(join(dir, 'src/art/blog/cover.d.ts'), 'utf8')).toMatch(
      /declare const image: \{[\s\S]*sources: \{ type: string; srcset: string \}\[\];/,
    );

    // The key reached the emulator and nothing else.
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) expect((await readFile(join(entry.parentPath, entry.name))).includes(FAKE_KEY), entry.name).toBe(false);
    }
    expect(run.stdout + run.stderr).not.toContain(FAKE_KEY);

    // A second run: no request, nothing rewritten.
    const before = await stat(join(dir, 'src/art/hero.js'));
    const lock = await stat(join(dir, '.seedream/seedream.lock.json'));
    const again = await seedream(dir, ['generate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/2 images, 0 generated, 2 cached in \.seedream; 0 module file\(s\) written/);
    expect(emulator.log.generations()).toHaveLength(2);
    expect((await stat(join(dir, 'src/art/hero.js'))).mtimeMs).toBe(before.mtimeMs);
    expect((await stat(join(dir, '.seedream/seedream.lock.json'))).mtimeMs).toBe(lock.mtimeMs);
  });

  it('writes one index module when asked, holding the same values as the modules per image', async () => {
    const dir = await project();
    expect((await seedream(dir, ['generate'])).code).toBe(0);
    const perImage = {
      hero: (await importFresh<{ default: ImageModule }>(join(dir, 'src/art/hero.js'))).default,
      'blog/cover': (await importFresh<{ default: ImageModule }>(join(dir, 'src/art/blog/cover.js'))).default,
    };
    await writeFile(join(dir, 'seedream.images.json'), JSON.stringify({ ...MANIFEST, index: true }));
    expect((await seedream(dir, ['generate'])).code).toBe(0);
    const images = (await importFresh<{ default: Record<string, ImageModule> }>(join(dir, 'src/art/index.js'))).default;
    expect(Object.keys(images).sort()).toEqual(['blog/cover', 'hero']);
    // Same fields, order, URLs and srcset strings (the index fills its URLs in after one JSON.parse).
    expect(JSON.stringify(images.hero)).toBe(JSON.stringify(perImage.hero));
    expect(JSON.stringify(images['blog/cover'])).toBe(JSON.stringify(perImage['blog/cover']));
    expect(images.hero!.srcset.webp).toMatch(/ 160w, .* 320w$/);
    expect(images.hero!.sources.map((source) => source.type)).toEqual(['image/avif', 'image/webp']);
    expect(images['blog/cover']!.src).toMatch(/^file:.*\/\.seedream\/[0-9a-f]{16}\.jpg$/);
    expect(await readFile(join(dir, 'src/art/index.d.ts'), 'utf8')).toContain('declare const images: Record<"blog/cover" | "hero", SeedreamImage>;');

    // Imported and not used, the index leaves nothing in a bundle.
    await writeFile(join(dir, 'src/main.js'), "import images from './art/index.js';\nexport const answer = 42;\n");
    const unused = await esbuild.build({
      entryPoints: [join(dir, 'src/main.js')],
      bundle: true,
      format: 'esm',
      write: false,
      minify: true,
      logLevel: 'silent',
    });
    expect(unused.outputFiles[0]!.text).not.toMatch(/seedream|placeholder|JSON/);
  });

  // `assets: "import"`: the modules import the cache files, and a bundler's own asset loader emits them (here
  // esbuild's `file` loader, which has no `new URL(…, import.meta.url)` support).
  for (const index of [false, true]) {
    it(`writes modules that import their files for esbuild's file loader (${index ? 'one index' : 'a module per image'})`, async () => {
      const dir = await project({ ...MANIFEST, assets: 'import', index });
      expect((await seedream(dir, ['generate'])).code).toBe(0);
      const module = await readFile(join(dir, index ? 'src/art/index.js' : 'src/art/hero.js'), 'utf8');
      expect(module).toMatch(/^import asset0 from "\.\.?\/(\.\.\/)*\.seedream\/[0-9a-f]{16}\.jpg";$/m);
      expect(module).not.toContain('import.meta.url');

      const entry = index
        ? "import images from './art/index.js'; export const hero = images.hero, cover = images['blog/cover'];"
        : "export { default as hero } from './art/hero.js'; export { default as cover } from './art/blog/cover.js';";
      await writeFile(join(dir, 'src/main.js'), `${entry}\n`);
      await esbuild.build({
        entryPoints: [join(dir, 'src/main.js')],
        bundle: true,
        format: 'esm',
        outdir: join(dir, 'dist'),
        publicPath: '/static',
        loader: { '.jpg': 'file', '.png': 'file', '.webp': 'file', '.avif': 'file' },
        logLevel: 'silent',
      });
      const { hero, cover } = await importFresh<{ hero: ImageModule; cover: ImageModule }>(join(dir, 'dist/main.js'));
      expect(hero).toMatchObject({ width: 640, height: 480, format: 'jpeg', alt: 'Lighthouse' });
      expect(cover).toMatchObject({ width: 512, height: 512, srcset: {}, sources: [] });
      // Every URL names a file esbuild emitted, byte for byte a file of the cache.
      const cached = new Set(
        await Promise.all(
          (await readdir(join(dir, '.seedream'))).filter((f) => f !== 'seedream.lock.json').map((f) => readFile(join(dir, '.seedream', f), 'base64')),
        ),
      );
      const urls = [hero.src, cover.src, ...Object.values(hero.srcset).flatMap((srcset) => srcset.split(', ').map((candidate) => candidate.split(' ')[0]!))];
      expect(urls).toHaveLength(6);
      for (const url of urls) {
        expect(url).toMatch(/^\/static\/[^/]+\.(jpg|webp|avif)$/);
        expect(cached.has(await readFile(join(dir, 'dist', url.slice('/static/'.length)), 'base64'))).toBe(true);
      }
      expect(Object.keys(hero.srcset)).toEqual(['avif', 'webp']);
    });
  }

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('draws a progress bar in place on a terminal', async () => {
    const dir = await project();
    const { CI: _ci, ...inherited } = process.env;
    const output = await new Promise<string>((resolve, reject) => {
      // util-linux `script` runs the bin on a pseudo-terminal.
      execFile(
        'script',
        ['-qec', `'${process.execPath}' '${BIN}' generate`, '/dev/null'],
        { cwd: dir, env: { ...inherited, COMETAPI_KEY: FAKE_KEY, COMETAPI_BASE_URL: emulator.baseURL } },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    expect(output).toMatch(/\rseedream [█░]{24} 0\/2 /);
    expect(output).toMatch(/\rseedream █{24} 2\/2 /);
    expect(output).not.toMatch(/\[1\/2\]/);
    expect(emulator.log.generations()).toHaveLength(2);
  });

  it('offline (CI set): no request at all, and every missing image is named', async () => {
    const dir = await project();
    const run = await seedream(dir, ['generate'], { CI: 'true' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/2 of 2 images failed:\n {2}(hero|blog\/cover): "\1" is missing from the cache and strict mode forbids the offline art/);
    expect(emulator.log.entries).toHaveLength(0);
  });
});

describe('seedream check and prune', () => {
  it('check fails naming the missing entry, makes no request, and passes once generated', async () => {
    const dir = await project();
    expect((await seedream(dir, ['generate'])).code).toBe(0);
    expect(await seedream(dir, ['check'])).toMatchObject({ code: 0, stdout: 'seedream check: all 2 images are in .seedream\n' });

    const manifest = { ...MANIFEST, images: { ...MANIFEST.images, extra: 'a red kite' } };
    await writeFile(join(dir, 'seedream.images.json'), JSON.stringify(manifest, null, 2));
    emulator.log.clear();
    const failing = await seedream(dir, ['check']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toBe('seedream check: 1 of 3 images missing from .seedream (run `seedream generate`):\n  extra: not in the cache\n');
    expect(emulator.log.entries).toHaveLength(0);

    // A deleted variant is missing too.
    const lock = JSON.parse(await readFile(join(dir, '.seedream/seedream.lock.json'), 'utf8'));
    const heroEntry = Object.values(lock.entries as Record<string, { request: { prompt: string }; variants: Record<string, { file: string }> }>).find(
      (entry) => entry.request.prompt === 'a lighthouse at dusk',
    )!;
    await rm(join(dir, '.seedream', heroEntry.variants['320w.avif']!.file));
    expect((await seedream(dir, ['check'])).stderr).toContain('  hero: variants 320w.avif not in the cache');
  });

  it('prune deletes what the manifest no longer lists, and nothing else', async () => {
    const dir = await project();
    expect((await seedream(dir, ['generate'])).code).toBe(0);
    const before = new Set(await readdir(join(dir, '.seedream')));
    const manifest = { ...MANIFEST, images: { hero: MANIFEST.images.hero } };
    await writeFile(join(dir, 'seedream.images.json'), JSON.stringify(manifest, null, 2));
    const run = await seedream(dir, ['prune']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^seedream prune: removed 1 entry and 1 file\(s\) from \.seedream\n {2}entry [0-9a-f]{16}…\n {2}file [0-9a-f]{16}\.jpg\n$/);
    const after = new Set(await readdir(join(dir, '.seedream')));
    expect(before.size - after.size).toBe(1);
    expect(await seedream(dir, ['check'])).toMatchObject({ code: 0 });
    expect(emulator.log.generations()).toHaveLength(2);
  });
});

describe('manifest errors', () => {
  it('names the line of a bad image spec', async () => {
    const text = ['{', '  "images": {', '    "hero": "a lighthouse",', '    "card": { "prompt": "a boat", "colour": "red" }', '  }', '}', ''].join('\n');
    const run = await seedream(await project(undefined, text), ['generate']);
    expect(run).toMatchObject({ code: 2, stderr: 'seedream: seedream.images.json:4: images.card: unknown field `colour`\n' });
    expect(emulator.log.entries).toHaveLength(0);
  });

  it('names the line of a JSON syntax error, and of a bad top-level field', async () => {
    const broken = ['{', '  "images": {', '    "hero": "a lighthouse"', '    "card": "a boat"', '  }', '}', ''].join('\n');
    const run = await seedream(await project(undefined, broken), ['check']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^seedream: seedream\.images\.json:4: invalid JSON: /);
    const unknown = ['{', '  "images": { "hero": "a lighthouse" },', '  "cachedir": ".art"', '}', ''].join('\n');
    expect((await seedream(await project(undefined, unknown), ['check'])).stderr).toBe('seedream: seedream.images.json:3: unknown field "cachedir"\n');
    const assets = ['{', '  "images": { "hero": "a lighthouse" },', '  "out": "src/art",', '  "assets": "inline"', '}', ''].join('\n');
    expect((await seedream(await project(undefined, assets), ['check'])).stderr).toBe(
      'seedream: seedream.images.json:4: "assets" must be "url" (new URL(…, import.meta.url)) or "import" (import src from …)\n',
    );
  });

  it('explains usage', async () => {
    const dir = await project();
    expect(await seedream(dir, ['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: seedream <command>') });
    expect(await seedream(dir, ['build'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "build"') });
    expect((await seedream(dir, ['generate', '-m', 'nope.json'])).stderr).toBe('seedream: nope.json: cannot read the manifest (ENOENT)\n');
  });
});

/** The cache on its own: keys, the lock file format, atomic writes, corruption and pruning. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { parseManifest, serializeManifest } from '../src/cache/manifest.js';
import { CacheStore } from '../src/cache/store.js';
import { buildRequest, type CanonicalRequest } from '../src/generate/request.js';
import { describeImage } from '../src/image/describe.js';
import { pruneCache, requestKey } from '../src/index.js';
import { parseSpecifier, normalizeInline } from '../src/specifier.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seedream-cache-'));
  dirs.push(dir);
  return dir;
}

const context = (root: string) => ({ root, defaults: {}, defaultModel: 'doubao-seedream-4-0-250828' });
const png = (color: string) =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: color } })
    .png()
    .toBuffer();

describe('cache key', () => {
  it('depends on every pixel parameter, not on names, alt text or key order', async () => {
    const root = await scratch();
    const base = await buildRequest({ prompt: 'a fox', size: '1K', seed: 3 }, 'fox', context(root));
    const reordered = await buildRequest({ seed: 3, size: '1K', prompt: 'a fox', alt: 'A fox' }, 'renamed', context(root));
    expect(reordered.key).toBe(base.key);
    expect(reordered.alt).toBe('A fox');
    const variants = [
      { prompt: 'a fox ', size: '1K', seed: 3 },
      { prompt: 'a fox', size: '2K', seed: 3 },
      { prompt: 'a fox', size: '1K', seed: 4 },
      { prompt: 'a fox', size: '1K', seed: 3, model: 'doubao-seedream-4-5-251128' },
      { prompt: 'a fox', size: '1K', seed: 3, watermark: true },
      { prompt: 'a fox', size: '1K', seed: 3, output_format: 'png' as const },
      { prompt: 'a fox', size: '1K', seed: 3, guidance_scale: 5 },
      { prompt: 'a fox', size: '1K', seed: 3, image: 'https://example.com/ref.png' },
    ];
    const keys = await Promise.all(variants.map(async (spec) => (await buildRequest(spec, 'fox', context(root))).key));
    expect(new Set([base.key, ...keys]).size).toBe(variants.length + 1);
    // The schema version is part of it.
    expect(requestKey({ ...base.canonical, schema: base.canonical.schema + 1 })).not.toBe(base.key);
  });

  it('hashes reference images by bytes: same bytes under another name or as a data URI give the same key', async () => {
    const root = await scratch();
    const bytes = await png('#123456');
    await writeFile(join(root, 'a.png'), bytes);
    await writeFile(join(root, 'b.png'), bytes);
    const fromA = await buildRequest({ prompt: 'p', image: 'a.png' }, 'p', context(root));
    const fromB = await buildRequest({ prompt: 'p', image: join(root, 'b.png') }, 'p', context(root));
    const fromData = await buildRequest({ prompt: 'p', image: `data:image/png;base64,${bytes.toString('base64')}` }, 'p', context(root));
    expect(fromB.key).toBe(fromA.key);
    expect(fromData.key).toBe(fromA.key);
    expect(fromA.files).toEqual([join(root, 'a.png')]);
    await writeFile(join(root, 'a.png'), await png('#123457'));
    expect((await buildRequest({ prompt: 'p', image: 'a.png' }, 'p', context(root))).key).not.toBe(fromA.key);
    await expect(buildRequest({ prompt: 'p', image: 'missing.png' }, 'p', context(root))).rejects.toThrow(
      /cannot read reference image missing\.png \(ENOENT\)/,
    );
  });
});

describe('import specifiers', () => {
  it('parses named and inline forms and rejects the rest', () => {
    expect(parseSpecifier('hero')).toEqual({ kind: 'named', name: 'hero' });
    expect(parseSpecifier('blog/cover-1')).toEqual({ kind: 'named', name: 'blog/cover-1' });
    const inline = parseSpecifier('?prompt=A%20red%20kite!&size=1K&seed=2&watermark=true&image=a.png&image=b.png');
    expect(inline).toEqual({
      kind: 'inline',
      label: 'a-red-kite',
      spec: { prompt: 'A red kite!', size: '1K', seed: 2, watermark: true, image: ['a.png', 'b.png'] },
    });
    expect(() => parseSpecifier('../hero')).toThrow(/use "seedream:<name>"/);
    expect(() => parseSpecifier('?size=1K')).toThrow(/`prompt` must be a non-empty string/);
    expect(() => parseSpecifier('?prompt=a&seed=x')).toThrow(/`seed` must be an integer/);
    expect(() => parseSpecifier('?prompt=a&prompt=b')).toThrow(/given twice/);
    expect(() => parseSpecifier('?prompt=a&output_format=webp')).toThrow(/"png" or "jpeg"/);
  });

  it('rewrites relative reference paths to root-relative ones, so the module id is the same from any importer', () => {
    const root = '/project';
    expect(normalizeInline('?prompt=a&image=./ref.png', '/project/src/pages', root)).toBe('?prompt=a&image=%2Fsrc%2Fpages%2Fref.png');
    expect(normalizeInline('?prompt=a&image=../ref.png', '/project/src/pages', root)).toBe(normalizeInline('?prompt=a&image=./ref.png', '/project/src', root));
    expect(normalizeInline('?prompt=a&image=https://x.test/r.png', '/project/src', root)).toBe('?prompt=a&image=https://x.test/r.png');
  });
});

describe('lock file', () => {
  it('serialises deterministically whatever the insertion order', () => {
    const entry = (file: string) => ({
      file,
      sha256: 'a'.repeat(64),
      width: 1,
      height: 1,
      format: 'png' as const,
      thumbhash: 'x',
      source: 'api' as const,
      request: { prompt: 'p' } as unknown as CanonicalRequest,
    });
    const one = serializeManifest({
      version: 1,
      entries: { ['b'.repeat(64)]: entry('bbbbbbbbbbbbbbbb.png'), ['a'.repeat(64)]: entry('aaaaaaaaaaaaaaaa.png') },
    });
    const two = serializeManifest({
      version: 1,
      entries: { ['a'.repeat(64)]: entry('aaaaaaaaaaaaaaaa.png'), ['b'.repeat(64)]: entry('bbbbbbbbbbbbbbbb.png') },
    });
    expect(one).toBe(two);
    expect(one.endsWith('}\n')).toBe(true);
    expect(parseManifest(one, 'lock').manifest.entries).toEqual(JSON.parse(one).entries);
  });

  it('drops malformed entries, and refuses unreadable files and unknown versions', () => {
    const text = JSON.stringify({ version: 1, entries: { ['c'.repeat(64)]: { file: '../../etc/passwd' } } });
    expect(parseManifest(text, 'lock')).toEqual({ manifest: { version: 1, entries: {} }, dropped: ['c'.repeat(64)] });
    expect(() => parseManifest('{"version":1,', 'x/seedream.lock.json')).toThrow(/x\/seedream\.lock\.json is not valid JSON\. Fix it, or delete it/);
    expect(() => parseManifest('{"version":2,"entries":{}}', 'lock')).toThrow(/version 2/);
  });
});

describe('CacheStore', () => {
  it('writes atomically, verifies on read, and prunes what is not kept', async () => {
    const dir = join(await scratch(), '.seedream');
    const store = await CacheStore.open(dir);
    const red = await png('#ff0000');
    const blue = await png('#0000ff');
    const request = (prompt: string) => ({ prompt }) as unknown as CanonicalRequest;
    const a = await store.put('a'.repeat(64), { bytes: red, facts: await describeImage(red), source: 'api', request: request('red') });
    await store.put('b'.repeat(64), { bytes: blue, facts: await describeImage(blue), source: 'api', request: request('blue') });
    // Same bytes under a second key share the file.
    await store.put('c'.repeat(64), { bytes: red, facts: await describeImage(red), source: 'emulator', request: request('red again') });
    expect(a).toMatchObject({ width: 40, height: 30, format: 'png', file: expect.stringMatching(/^[0-9a-f]{16}\.png$/) });
    expect((await readdir(dir)).sort()).toEqual([a.file, store.entry('b'.repeat(64))!.file, 'seedream.lock.json'].sort());

    const reopened = await CacheStore.open(dir);
    expect(await reopened.read('a'.repeat(64))).toMatchObject({ status: 'hit', bytes: red });
    await writeFile(join(dir, a.file), red.subarray(0, 100));
    expect(await reopened.read('a'.repeat(64))).toMatchObject({ status: 'corrupt', reason: expect.stringMatching(/does not match its recorded SHA-256/) });
    expect(await reopened.read('d'.repeat(64))).toEqual({ status: 'miss' });

    const removed = await pruneCache(dir, ['c'.repeat(64)]);
    expect(removed.entries.sort()).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
    expect(removed.files).toEqual([store.entry('b'.repeat(64))!.file]);
    const lock = JSON.parse(await readFile(join(dir, 'seedream.lock.json'), 'utf8'));
    expect(Object.keys(lock.entries)).toEqual(['c'.repeat(64)]);
  });

  it('keeps entries another process added to the lock file meanwhile', async () => {
    const dir = join(await scratch(), '.seedream');
    const first = await CacheStore.open(dir);
    const second = await CacheStore.open(dir);
    const red = await png('#ff0000');
    const blue = await png('#0000ff');
    await first.put('a'.repeat(64), { bytes: red, facts: await describeImage(red), source: 'api', request: { prompt: 'red' } as unknown as CanonicalRequest });
    await second.put('b'.repeat(64), {
      bytes: blue,
      facts: await describeImage(blue),
      source: 'api',
      request: { prompt: 'blue' } as unknown as CanonicalRequest,
    });
    const lock = JSON.parse(await readFile(join(dir, 'seedream.lock.json'), 'utf8'));
    expect(Object.keys(lock.entries).sort()).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
  });
});

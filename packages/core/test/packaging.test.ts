/**
 * The package as others meet it: bundled for a browser (no Node built-ins, the key guard), two copies in one
 * app (brand checks), and a Node process that exits on its own after using the client.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '@seedream-kit/emulator';
import { FAKE_KEY, imageBytes, withEmulator } from './helpers.js';

const root = resolve(import.meta.dirname, '..');
let emu: Emulator;
let scratch: string;

beforeAll(async () => {
  emu = await withEmulator();
  scratch = await mkdtemp(join(tmpdir(), 'seedream-packaging-'));
});
afterAll(async () => {
  await emu.close();
  await rm(scratch, { recursive: true, force: true });
});

async function bundle(entry: string, options: esbuild.BuildOptions) {
  const result = await esbuild.build({ entryPoints: [join(root, entry)], bundle: true, write: false, metafile: true, logLevel: 'silent', ...options });
  return { code: result.outputFiles![0]!.text, inputs: Object.keys(result.metafile!.inputs) };
}

describe('in a browser', () => {
  let Seedream: typeof import('../src/index.js');

  beforeAll(async () => {
    const { code, inputs } = await bundle('src/index.ts', { platform: 'browser', format: 'iife', globalName: 'Seedream' });
    expect(inputs.filter((input) => input.startsWith('node:') || input.includes('/node/'))).toEqual([]);
    // A page: window and document exist, `process` does not.
    const page = vm.createContext({
      document: {},
      fetch: globalThis.fetch,
      Headers,
      Response,
      URL,
      AbortController,
      AbortSignal,
      TextEncoder,
      TextDecoder,
      Blob,
      btoa,
      atob,
      setTimeout,
      clearTimeout,
      ReadableStream,
    });
    vm.runInContext('window = globalThis;', page);
    vm.runInContext(code, page);
    Seedream = page.Seedream;
  });

  it('the main entry bundles without Node built-ins (checked above) and imports without throwing', () => {
    expect(typeof Seedream.createSeedream).toBe('function');
  });

  it('refuses a key in a browser and explains why', () => {
    expect(() => Seedream.createSeedream({ apiKey: FAKE_KEY })).toThrow(/anyone who opens the page can read the key.*dangerouslyAllowBrowser/s);
    // without a key (a same-origin proxy adds it) it is fine
    expect(() => Seedream.createSeedream({ apiKey: null, baseURL: '/api/seedream' })).toThrow(/baseURL/); // relative URLs are refused, not the browser
    expect(() => Seedream.createSeedream({ apiKey: null, baseURL: 'https://app.example/api/seedream' })).not.toThrow();
  });

  it('works in the browser when dangerouslyAllowBrowser is set', async () => {
    const client = Seedream.createSeedream({ apiKey: FAKE_KEY, baseURL: emu.baseURL, dangerouslyAllowBrowser: true });
    const png = await imageBytes('png', 32, 32);
    const result = await client.generate({ prompt: 'a browser test', model: 'doubao-seedream-4-0-250828', size: '1K', image: png });
    expect(result.images).toHaveLength(1);
    // the reference was encoded without Buffer (btoa path)
    const sent = emu.log.generations().at(-1)!.body as { image: string };
    expect(sent.image).toMatch(/^data:image\/png;base64,iVBOR/);
  });

  it('a client without a key fails at the first call with a clear message (no process.env in a page)', async () => {
    const client = Seedream.createSeedream({ baseURL: emu.baseURL });
    await expect(client.generate({ prompt: 'x' })).rejects.toThrow(/Missing API key/);
  });
});

describe('two copies of the package in one app', () => {
  it('recognise each other’s errors by brand and kind, with is…() and instanceof', async () => {
    const files = await Promise.all(
      ['copy-a.mjs', 'copy-b.mjs'].map(async (name) => {
        const { code } = await bundle('src/index.ts', { platform: 'node', format: 'esm', external: ['valibot', 'eventsource-parser'] });
        const file = join(root, 'test', `.${name}`); // inside the package so its dependencies resolve
        await writeFile(file, code);
        return file;
      }),
    );
    try {
      const [a, b] = (await Promise.all(files.map((file) => import(pathToFileURL(file).href)))) as [
        typeof import('../src/index.js'),
        typeof import('../src/index.js'),
      ];
      expect(a.RateLimitError).not.toBe(b.RateLimitError);
      const error = await a
        .createSeedream({ baseURL: emu.baseURL, apiKey: FAKE_KEY })
        .generate({ prompt: 'x' }, { headers: { 'x-emulator-fault': 'status=429' } })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(a.RateLimitError);
      expect(b.isRateLimitError(error)).toBe(true);
      expect(b.isAPIError(error)).toBe(true);
      expect(b.isSeedreamError(error)).toBe(true);
      expect(b.isBadRequestError(error)).toBe(false);
      expect(error instanceof b.RateLimitError).toBe(true);
      expect(error instanceof b.APIError).toBe(true);
      expect(error instanceof b.SeedreamError).toBe(true);
      expect(error instanceof b.BadRequestError).toBe(false);
      expect(error instanceof b.APIConnectionError).toBe(false);
      expect(new b.SeedreamValidationError([])).toBeInstanceOf(a.SeedreamValidationError);
      expect(b.isSeedreamError(new Error('plain'))).toBe(false);
      expect(b.isSeedreamError({ [Symbol.for('seedream-kit.error')]: 'not a list' })).toBe(false);
    } finally {
      await Promise.all(files.map((file) => rm(file, { force: true })));
    }
  });
});

describe('in a Node process', () => {
  it('exits on its own after successes, failures, aborted and timed-out streams', async () => {
    const { code } = await bundle('src/index.ts', { platform: 'node', format: 'esm', external: ['valibot', 'eventsource-parser'] });
    const library = join(root, 'test', '.exit-copy.mjs');
    await writeFile(library, code);
    const script = join(scratch, 'script.mjs');
    await writeFile(
      script,
      `import { createSeedream } from ${JSON.stringify(pathToFileURL(library).href)};
const client = createSeedream({ baseURL: process.env.BASE, apiKey: 'sk-exit-test', model: 'doubao-seedream-4-0-250828', streamIdleTimeout: 2000 });
await client.generate({ prompt: 'x', size: '1K' });
await client.generate({ prompt: 'x' }, { headers: { 'x-emulator-fault': 'status=500' } }).catch(() => {});
const stream = await client.generate({ prompt: 'a series of 3 images', size: '1K', sequential_image_generation: 'auto', stream: true });
for await (const _ of stream) break;
const stalled = await client.generate({ prompt: 'a series of 3 images', size: '1K', sequential_image_generation: 'auto', stream: true }, { headers: { 'x-emulator-fault': 'stall-stream=1' } });
await stalled.finalResult().catch(() => {});
console.log('done');
`,
    );
    try {
      const child = spawn(process.execPath, [script], { env: { ...process.env, BASE: emu.baseURL }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exitCode = await new Promise<number | null>((resolveExit) => {
        const guard = setTimeout(() => {
          child.kill('SIGKILL');
          resolveExit(null);
        }, 15_000);
        child.on('exit', (codeValue) => {
          clearTimeout(guard);
          resolveExit(codeValue);
        });
      });
      expect(output).toContain('done');
      expect(exitCode).toBe(0); // null would mean it hung and was killed
    } finally {
      await rm(library, { force: true });
    }
  });
});

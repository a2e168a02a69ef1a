import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanup, copyToTemp, FAKE_KEY, type ImageModule, readTree, sha256, testEmulator } from '@seedream-kit/plugin-harness';
import { build, type InlineConfig, type Logger, type Rolldown } from 'vite';
import sharp from 'sharp';
import type { Emulator } from '@seedream-kit/emulator';
import { seedream, type SeedreamPluginOptions } from '../src/index.js';

// Shared with the other build plugin's tests (@seedream-kit/plugin-harness); this package's tests import them from here.
export { cleanup, FAKE_KEY, type ImageModule, readTree, sha256, testEmulator };

export const MODEL_PRO = 'doubao-seedream-5-0-pro-260628';
export const MODEL_40 = 'doubao-seedream-4-0-250828';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** Copies a fixture project to a fresh temporary folder (removed by `cleanup`). */
export const copyFixture = (name: string): Promise<string> => copyToTemp(join(FIXTURES, name), `seedream-vite-${name}-`);

/** The named images of the `basic` fixture (its main.js also has two inline ones). */
export const BASIC_IMAGES: SeedreamPluginOptions['images'] = {
  hero: { prompt: 'a lighthouse at dusk', model: MODEL_PRO, size: '1280x720', output_format: 'png', image: 'src/ref.png', alt: 'Lighthouse' },
  card: 'a paper boat on a pond',
};
export const BASIC_DEFAULTS: SeedreamPluginOptions['defaults'] = { model: MODEL_40, size: '1024x1024' };

/** Plugin options pointing at a test emulator with the fake key, online. */
export function online(emulator: Emulator, extra: SeedreamPluginOptions = {}): SeedreamPluginOptions {
  return { images: BASIC_IMAGES, defaults: BASIC_DEFAULTS, apiKey: FAKE_KEY, baseURL: emulator.baseURL, offline: false, ...extra };
}

export interface CapturedLogger extends Logger {
  messages: { level: 'info' | 'warn' | 'error'; text: string }[];
}

export function captureLogger(): CapturedLogger {
  const messages: CapturedLogger['messages'] = [];
  const warned = new Set<string>();
  return {
    messages,
    hasWarned: false,
    info: (text) => void messages.push({ level: 'info', text }),
    warn: (text) => void messages.push({ level: 'warn', text }),
    warnOnce: (text) => {
      if (!warned.has(text)) messages.push({ level: 'warn', text });
      warned.add(text);
    },
    error: (text) => void messages.push({ level: 'error', text }),
    clearScreen: () => undefined,
    hasErrorLogged: () => false,
  };
}

export type OutputFile = Rolldown.OutputAsset | Rolldown.OutputChunk;

/** `vite build` of `root` in memory (write: false); returns the output files by name. */
export async function buildInMemory(
  root: string,
  options: SeedreamPluginOptions,
  extra: { logger?: Logger; config?: InlineConfig } = {},
): Promise<Map<string, OutputFile>> {
  const result = await build({
    root,
    configFile: false,
    logLevel: 'silent',
    ...(extra.logger ? { customLogger: extra.logger } : {}),
    plugins: [seedream(options)],
    build: {
      write: false,
      // A JS entry whose exports survive, so tests can evaluate it and read the image modules' values.
      modulePreload: false,
      rolldownOptions: { input: join(root, 'src/main.js'), preserveEntrySignatures: 'strict' },
    },
    ...extra.config,
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  return new Map(outputs.flatMap((output) => output.output).map((file) => [file.fileName, file]));
}

export function bytesOf(file: OutputFile): Buffer {
  return file.type === 'asset' ? Buffer.from(file.source) : Buffer.from(file.code);
}

export function imageAssets(files: Map<string, OutputFile>): OutputFile[] {
  return [...files.values()].filter((file) => /\.(png|jpe?g)$/.test(file.fileName));
}

export function entryChunk(files: Map<string, OutputFile>): Rolldown.OutputChunk {
  const chunk = [...files.values()].find((file): file is Rolldown.OutputChunk => file.type === 'chunk' && file.isEntry);
  if (!chunk) throw new Error('no entry chunk');
  return chunk;
}

/** Runs the entry chunk (it has no imports) and returns its `images` export. */
export async function evaluateImages(files: Map<string, OutputFile>): Promise<Record<string, ImageModule> & { cardWidth: number }> {
  const code = entryChunk(files).code;
  const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { images: never };
  return module.images;
}

/** Modification times of every file under `dir`. */
export async function mtimes(dir: string): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const name of (await readTree(dir)).keys()) times.set(name, (await stat(join(dir, name))).mtimeMs);
  return times;
}

export async function metadataOf(bytes: Uint8Array) {
  return sharp(bytes).metadata();
}

export async function readLock(root: string): Promise<{
  version: number;
  entries: Record<string, { file: string; sha256: string; source: string; width: number; height: number; format: string; request: { prompt: string } }>;
}> {
  return JSON.parse(await readFile(join(root, '.seedream', 'seedream.lock.json'), 'utf8'));
}

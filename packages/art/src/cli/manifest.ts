/**
 * The CLI's manifest: a JSON file with the same image specs as the plugins' options. Every error names the
 * file and the line: a syntax error where JSON.parse stopped, a bad spec at the line of its name.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { checkNamedImages } from '../engine.js';
import { SeedreamPluginError } from '../errors.js';
import type { SeedreamArtOptions, SeedreamImageSpec } from '../types.js';
import type { ModuleAssets } from './modules.js';

export const DEFAULT_MANIFEST = 'seedream.images.json';

/** What a manifest may hold: the shared options that make sense in a file, plus where modules go. */
export interface ManifestFile {
  images: Record<string, SeedreamImageSpec | string>;
  defaults?: SeedreamArtOptions['defaults'];
  /** Relative to the manifest. Default `.seedream`. */
  cacheDir?: string;
  /** Folder of the generated modules, relative to the manifest. Default: no modules. */
  out?: string;
  /** One `index.js` (+ `.d.ts`) instead of one module per image. */
  index?: boolean;
  /**
   * How a module names its image files. `url` (default): `new URL('…', import.meta.url).href`, resolved natively by
   * Vite, webpack 5, Rspack and Parcel. `import`: `import src from '…'`, for esbuild (its `file` loader) and any
   * bundler with an asset import.
   */
  assets?: ModuleAssets;
  concurrency?: number;
}

export interface LoadedManifest extends ManifestFile {
  path: string;
  /** The manifest's folder: the project root of the engine. */
  root: string;
  named: Map<string, SeedreamImageSpec>;
}

const TOP_LEVEL = new Set(['$schema', 'images', 'defaults', 'cacheDir', 'out', 'index', 'assets', 'concurrency']);

/** An error located in the manifest: `<path>:<line>: <message>`. */
export class ManifestError extends SeedreamPluginError {
  constructor(path: string, line: number, message: string) {
    super(`${path}:${line}: ${message}`);
  }
}

/** 1-based line of a character offset. */
const lineAt = (text: string, offset: number) => text.slice(0, Math.max(0, offset)).split('\n').length;

/** The line of `"key":` (the first after `after`), else of the start of `after`, else 1. */
function lineOfKey(text: string, key: string, after = 0): number {
  const pattern = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"\\s*:`, 'g');
  pattern.lastIndex = after;
  const found = pattern.exec(text);
  return found ? lineAt(text, found.index) : lineAt(text, after);
}

export async function loadManifest(file: string): Promise<LoadedManifest> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SeedreamPluginError(`${file}: cannot read the manifest (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const line = /\(line (\d+) column \d+\)/.exec(message)?.[1];
    const at = line ? Number(line) : position === undefined ? lineAt(text, text.length) : lineAt(text, Number(position));
    throw new ManifestError(file, at, `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '')}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ManifestError(file, 1, 'expected an object with an "images" object');
  const document = raw as Record<string, unknown>;
  for (const key of Object.keys(document)) if (!TOP_LEVEL.has(key)) throw new ManifestError(file, lineOfKey(text, key), `unknown field "${key}"`);
  if (typeof document.images !== 'object' || document.images === null || Array.isArray(document.images)) {
    throw new ManifestError(
      file,
      document.images === undefined ? 1 : lineOfKey(text, 'images'),
      '"images" must be an object of image specs (or prompts) by name',
    );
  }
  const imagesAt = text.search(/"images"\s*:/);
  const images = document.images as Record<string, SeedreamImageSpec | string>;
  let named: Map<string, SeedreamImageSpec>;
  try {
    named = checkNamedImages(images, 'images');
  } catch (error) {
    // Find the offending image by checking them one at a time, to point at its line.
    for (const name of Object.keys(images)) {
      try {
        checkNamedImages({ [name]: images[name]! }, 'images');
      } catch (single) {
        throw new ManifestError(file, lineOfKey(text, name, imagesAt), (single as Error).message.replace(/^seedream: /, ''));
      }
    }
    throw error;
  }
  if (document.defaults !== undefined) {
    try {
      checkNamedImages({ defaults: { prompt: 'x', ...(document.defaults as object) } }, 'manifest');
    } catch (error) {
      throw new ManifestError(file, lineOfKey(text, 'defaults'), (error as Error).message.replace(/^manifest\.defaults: /, 'defaults: '));
    }
  }
  for (const [key, check, expected] of [
    ['cacheDir', (v: unknown) => typeof v === 'string' && v !== ''],
    ['out', (v: unknown) => typeof v === 'string' && v !== ''],
    ['index', (v: unknown) => typeof v === 'boolean'],
    ['assets', (v: unknown) => v === 'url' || v === 'import', 'must be "url" (new URL(…, import.meta.url)) or "import" (import src from …)'],
    ['concurrency', (v: unknown) => Number.isInteger(v) && (v as number) > 0],
  ] as const) {
    if (document[key] !== undefined && !check(document[key])) {
      throw new ManifestError(file, lineOfKey(text, key), `"${key}" ${expected ?? 'has an invalid value'}`);
    }
  }
  return { ...(document as unknown as ManifestFile), path, root: dirname(path), named };
}

/**
 * The lock file (`seedream.lock.json`): cache key → image file and its facts. Written with sorted keys and
 * a fixed layout, so an unchanged cache rewrites to identical bytes and entries added on two branches
 * usually merge without conflict.
 */
import { SeedreamPluginError } from '../errors.js';
import { stableJsonFile } from '../internal/canonical-json.js';
import type { CanonicalRequest } from '../generate/request.js';
import type { ImageFacts } from '../image/describe.js';
import type { SeedreamVariantFormat } from '../types.js';

export const LOCK_FILE = 'seedream.lock.json';
export const MANIFEST_VERSION = 1;

/** Who made the pixels: the API at `baseURL`, or the in-process emulator used when no key was set. */
export type EntrySource = 'api' | 'emulator';

export interface CacheEntry extends Omit<ImageFacts, 'placeholder'> {
  /** Rendered preview; an entry without one gets it from `thumbhash` when read. */
  placeholder?: string;
  /** File name inside the cache folder: `<first 16 hex of sha256>.<png|jpg>`. */
  file: string;
  /** SHA-256 of the file's bytes: a mismatch means a corrupt or truncated entry. */
  sha256: string;
  source: EntrySource;
  request: CanonicalRequest;
  /** Responsive variants derived from this image, by `<width>w.<format>` (`640w.avif`). */
  variants?: Record<string, VariantEntry>;
}

/** A resized, re-encoded copy of an entry's image (derived with sharp; never generated). */
export interface VariantEntry {
  /** `<first 16 hex of sha256>.<avif|webp|png|jpg>` */
  file: string;
  sha256: string;
  width: number;
  height: number;
  format: SeedreamVariantFormat;
}

export interface Manifest {
  version: number;
  entries: Record<string, CacheEntry>;
}

export const emptyManifest = (): Manifest => ({ version: MANIFEST_VERSION, entries: {} });

const HEX64 = /^[0-9a-f]{64}$/;
/** Names of generated images. */
const IMAGE_FILE = /^[0-9a-f]{16}\.(png|jpg)$/;
/** Names of every file the cache writes (generated images and their variants). */
export const CACHE_FILE = /^[0-9a-f]{16}\.(png|jpg|webp|avif)$/;

export const variantId = (width: number, format: SeedreamVariantFormat): string => `${width}w.${format}`;

function isVariantEntry(value: unknown): value is VariantEntry {
  if (typeof value !== 'object' || value === null) return false;
  const variant = value as Record<string, unknown>;
  return (
    typeof variant.file === 'string' &&
    CACHE_FILE.test(variant.file) &&
    typeof variant.sha256 === 'string' &&
    HEX64.test(variant.sha256) &&
    Number.isInteger(variant.width) &&
    (variant.width as number) > 0 &&
    Number.isInteger(variant.height) &&
    (variant.height as number) > 0 &&
    (variant.format === 'avif' || variant.format === 'webp' || variant.format === 'png' || variant.format === 'jpeg')
  );
}

export function isCacheEntry(value: unknown): value is CacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.file === 'string' &&
    IMAGE_FILE.test(entry.file) &&
    typeof entry.sha256 === 'string' &&
    HEX64.test(entry.sha256) &&
    Number.isInteger(entry.width) &&
    (entry.width as number) > 0 &&
    Number.isInteger(entry.height) &&
    (entry.height as number) > 0 &&
    (entry.format === 'png' || entry.format === 'jpeg') &&
    typeof entry.thumbhash === 'string' &&
    (entry.placeholder === undefined || (typeof entry.placeholder === 'string' && entry.placeholder.startsWith('data:image/'))) &&
    (entry.source === 'api' || entry.source === 'emulator') &&
    typeof entry.request === 'object' &&
    entry.request !== null &&
    (entry.variants === undefined ||
      (typeof entry.variants === 'object' && entry.variants !== null && Object.values(entry.variants as object).every(isVariantEntry)))
  );
}

export interface ParsedManifest {
  manifest: Manifest;
  /** Keys whose entry was malformed and was dropped (treated as misses). */
  dropped: string[];
}

/**
 * Parses the lock file. Unreadable JSON is an error, not an empty cache: silently starting over would pay
 * for every image again (a merge conflict in the lock file is the usual cause).
 */
export function parseManifest(text: string, path: string): ParsedManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const conflict = /^(<{7}|={7}|>{7})/m.test(text) ? ' It holds merge-conflict markers: keep the entries of both sides.' : '';
    throw new SeedreamPluginError(`${path} is not valid JSON.${conflict} Fix it, or delete it to regenerate every image (this may cost money).`);
  }
  const document = raw as Partial<Manifest> | null;
  if (typeof document !== 'object' || document === null || typeof document.entries !== 'object' || document.entries === null) {
    throw new SeedreamPluginError(`${path} is not a seedream lock file (no "entries" object)`);
  }
  if (document.version !== MANIFEST_VERSION) {
    throw new SeedreamPluginError(`${path} has version ${String(document.version)}; this @seedream-kit/art reads version ${MANIFEST_VERSION}`);
  }
  const manifest = emptyManifest();
  const dropped: string[] = [];
  for (const [key, entry] of Object.entries(document.entries)) {
    if (HEX64.test(key) && isCacheEntry(entry)) manifest.entries[key] = entry;
    else dropped.push(key);
  }
  return { manifest, dropped };
}

export function serializeManifest(manifest: Manifest): string {
  return stableJsonFile({ version: manifest.version, entries: manifest.entries });
}

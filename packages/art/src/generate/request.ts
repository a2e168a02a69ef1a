/**
 * From an image spec to a generation request and its cache key. The key is the SHA-256 of a canonical JSON
 * of everything that changes the pixels: model, prompt, size, seed, watermark, output format, guidance
 * scale, reference images (by the SHA-256 of their bytes, not their paths) and the cache schema version.
 * Alt text and the image's name are not in it: renaming an image must not pay for it again.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { SeedreamPluginError } from '../errors.js';
import { canonicalJson } from '../internal/canonical-json.js';
import { sha256 } from '../internal/hash.js';
import type { SeedreamImageParams, SeedreamImageSpec, SeedreamOutputFormat, SeedreamVariantFormat } from '../types.js';

/**
 * Version of what the key means and of the cached files' layout. Bumping it turns every entry into a miss
 * (and so regenerates, at a price): only for changes that alter the pixels.
 */
export const CACHE_SCHEMA_VERSION = 1;

/** The hashed form of a request; also written to the lock file so a diff shows what each entry is. */
export interface CanonicalRequest {
  schema: number;
  model: string;
  prompt: string;
  size: string | null;
  seed: number | null;
  watermark: boolean;
  output_format: SeedreamOutputFormat | null;
  guidance_scale: number | null;
  /** `sha256:<hex>` of each reference image's bytes, or `url:<url>` for a remote one, in order. */
  image: string[];
}

/** A reference image as sent: bytes (a file or data URI) or a URL passed through. */
export type ReferenceImage = { bytes: Uint8Array } | { url: string };

export interface ImageRequest {
  /** Cache key: hex SHA-256 of the canonical request. */
  key: string;
  /** Short human name for logs and asset file names (`hero`, or the start of the prompt). */
  label: string;
  alt: string;
  canonical: CanonicalRequest;
  references: ReferenceImage[];
  /** Absolute paths of local reference files (watched in dev: editing one regenerates). */
  files: string[];
  /** Responsive variants to derive (not part of the key: they never cost a generation). */
  responsive: ResponsiveRequest | undefined;
}

export interface ResponsiveRequest {
  /** Ascending, distinct. */
  widths: number[];
  /** Distinct, in `<picture>` order. */
  formats: SeedreamVariantFormat[];
}

export const VARIANT_FORMATS: readonly SeedreamVariantFormat[] = ['avif', 'webp', 'png', 'jpeg'];
/** Widest variant accepted (sharp can go further; nobody serves wider). */
const MAX_VARIANT_WIDTH = 8192;

const SPEC_KEYS = new Set(['prompt', 'size', 'seed', 'model', 'watermark', 'output_format', 'guidance_scale', 'image', 'alt', 'widths', 'formats']);

/** Checks a spec's shape; `where` names it in messages (`images.hero`, `seedream:?prompt=…`). */
export function checkSpec(spec: unknown, where: string): asserts spec is SeedreamImageSpec {
  const fail = (message: string): never => {
    throw new SeedreamPluginError(`${where}: ${message}`);
  };
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) fail('expected an object with a `prompt`');
  const value = spec as Record<string, unknown>;
  for (const name of Object.keys(value)) if (!SPEC_KEYS.has(name) && value[name] !== undefined) fail(`unknown field \`${name}\``);
  if (typeof value.prompt !== 'string' || !/\S/.test(value.prompt)) fail('`prompt` must be a non-empty string');
  checkParams(value, where);
  if (value.alt !== undefined && typeof value.alt !== 'string') fail('`alt` must be a string');
  const images = value.image === undefined ? [] : Array.isArray(value.image) ? value.image : [value.image];
  if (images.some((image) => typeof image !== 'string' || image === '')) fail('`image` must be a path, data URI or URL, or an array of them');
  if (value.widths !== undefined) {
    const widths = value.widths;
    if (!Array.isArray(widths) || widths.length === 0 || widths.some((w) => !Number.isInteger(w) || w < 1 || w > MAX_VARIANT_WIDTH)) {
      fail(`\`widths\` must be a non-empty list of integers from 1 to ${MAX_VARIANT_WIDTH}`);
    }
  }
  if (value.formats !== undefined) {
    const formats = value.formats;
    if (!Array.isArray(formats) || formats.length === 0 || formats.some((f) => !VARIANT_FORMATS.includes(f as SeedreamVariantFormat))) {
      fail(`\`formats\` must be a non-empty list of ${VARIANT_FORMATS.map((f) => `"${f}"`).join(', ')}`);
    }
    if (value.widths === undefined) fail('`formats` needs `widths` (the variants are one per width and format)');
  }
}

export function checkParams(value: Record<string, unknown>, where: string): void {
  const fail = (message: string): never => {
    throw new SeedreamPluginError(`${where}: ${message}`);
  };
  if (value.model !== undefined && (typeof value.model !== 'string' || value.model === '')) fail('`model` must be a non-empty string');
  if (value.size !== undefined && (typeof value.size !== 'string' || value.size === '')) fail('`size` must be a string such as "2K" or "2048x2048"');
  if (value.seed !== undefined && !Number.isInteger(value.seed)) fail('`seed` must be an integer');
  if (value.watermark !== undefined && typeof value.watermark !== 'boolean') fail('`watermark` must be true or false');
  if (value.output_format !== undefined && value.output_format !== 'png' && value.output_format !== 'jpeg') fail('`output_format` must be "png" or "jpeg"');
  if (value.guidance_scale !== undefined && (typeof value.guidance_scale !== 'number' || !Number.isFinite(value.guidance_scale))) {
    fail('`guidance_scale` must be a number');
  }
}

export interface RequestContext {
  /** The Vite root: relative reference paths start here. */
  root: string;
  defaults: SeedreamImageParams;
  /** Model used when neither the spec nor the defaults name one. */
  defaultModel: string;
}

/** Builds the request of a checked spec: reads local reference images and computes the key. */
export async function buildRequest(spec: SeedreamImageSpec, label: string, context: RequestContext): Promise<ImageRequest> {
  const params = { ...context.defaults, ...withoutUndefined(spec) };
  const references: ReferenceImage[] = [];
  const ids: string[] = [];
  const files: string[] = [];
  for (const reference of spec.image === undefined ? [] : Array.isArray(spec.image) ? spec.image : [spec.image]) {
    if (/^https?:\/\//i.test(reference)) {
      references.push({ url: reference });
      ids.push(`url:${reference}`);
      continue;
    }
    const bytes = reference.startsWith('data:') ? decodeDataUri(reference, label) : await readReference(reference, context.root, label, files);
    references.push({ bytes });
    ids.push(`sha256:${sha256(bytes)}`);
  }
  const canonical: CanonicalRequest = {
    schema: CACHE_SCHEMA_VERSION,
    model: params.model ?? context.defaultModel,
    prompt: spec.prompt,
    size: params.size ?? null,
    seed: params.seed ?? null,
    watermark: params.watermark ?? false,
    output_format: params.output_format ?? null,
    guidance_scale: params.guidance_scale ?? null,
    image: ids,
  };
  const responsive: ResponsiveRequest | undefined = spec.widths
    ? { widths: [...new Set(spec.widths)].sort((a, b) => a - b), formats: [...new Set(spec.formats ?? ['webp' as const])] }
    : undefined;
  return { key: requestKey(canonical), label, alt: spec.alt ?? spec.prompt, canonical, references, files, responsive };
}

export function requestKey(canonical: CanonicalRequest): string {
  return sha256(canonicalJson(canonical));
}

/** Resolves a reference path: absolute if it exists as such, else relative to the root (`/x` = root-relative). */
export function resolveReferencePath(reference: string, root: string): string {
  if (isAbsolute(reference) && existsSync(reference)) return reference;
  return resolve(root, reference.replace(/^[/\\]+/, ''));
}

async function readReference(reference: string, root: string, label: string, files: string[]): Promise<Uint8Array> {
  const path = resolveReferencePath(reference, root);
  try {
    const bytes = await readFile(path);
    files.push(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    const shown = relative(root, path) || path;
    throw new SeedreamPluginError(`${label}: cannot read reference image ${shown} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function decodeDataUri(uri: string, label: string): Uint8Array {
  const match = /^data:[^;,]*;base64,(.*)$/s.exec(uri);
  if (!match) throw new SeedreamPluginError(`${label}: reference data URIs must be base64 (data:image/png;base64,…)`);
  return new Uint8Array(Buffer.from(match[1]!, 'base64'));
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [name, member] of Object.entries(value)) if (member !== undefined) (out as Record<string, unknown>)[name] = member;
  return out;
}

/**
 * The import scheme. One prefix, two forms:
 *   import hero from 'seedream:hero'                            → `images.hero` of the plugin options
 *   import art from 'seedream:?prompt=a%20red%20kite&size=1K'   → an inline spec in the query
 * Responsive variants, inline: `&w=640;1280;1920&format=avif;webp` (the `widths` and `formats` options).
 * Resolved ids get Vite's virtual-module `\0` prefix so no other plugin tries to read them from disk.
 */
import { posix, relative, resolve, sep } from 'node:path';
import { SeedreamPluginError } from './errors.js';
import { checkSpec } from './generate/request.js';
import type { SeedreamImageSpec } from './types.js';

export const PREFIX = 'seedream:';
export const RESOLVED_PREFIX = `\0${PREFIX}`;

/** Names of images in the plugin options: `hero`, `blog/cover-2`. */
export const IMAGE_NAME = /^[A-Za-z0-9_][\w.\-/]*$/;
const NUMBER_PARAMS = new Set(['seed', 'guidance_scale']);
/** Short inline names of responsive options: `w=640;1280` → `widths`, `format=avif;webp` → `formats`. */
const INLINE_FIELDS: Record<string, string> = { w: 'widths', format: 'formats' };

export type Specifier = { kind: 'named'; name: string } | { kind: 'inline'; spec: SeedreamImageSpec; label: string };

/** Parses what follows `seedream:`. Throws a message that shows the accepted forms. */
export function parseSpecifier(body: string): Specifier {
  if (body.startsWith('?')) return parseInline(body);
  if (!IMAGE_NAME.test(body)) {
    throw new SeedreamPluginError(
      `invalid import "${PREFIX}${body}": use "${PREFIX}<name>" for an image named in the plugin's \`images\` option, or "${PREFIX}?prompt=…&size=…" for an inline one`,
    );
  }
  return { kind: 'named', name: body };
}

function parseInline(body: string): Specifier {
  const where = `${PREFIX}${body}`;
  const query = new URLSearchParams(body.slice(1));
  const spec: Record<string, unknown> = {};
  for (const [name, value] of query) {
    if (name === 'image') {
      ((spec.image ??= []) as string[]).push(value);
      continue;
    }
    if (name === 'widths' || name === 'formats')
      throw new SeedreamPluginError(`${where}: inline, \`${name}\` is written \`${name === 'widths' ? 'w' : 'format'}\``);
    const field = Object.hasOwn(INLINE_FIELDS, name) ? INLINE_FIELDS[name]! : name; // never Object.prototype's
    if (field in spec) throw new SeedreamPluginError(`${where}: \`${name}\` is given twice`);
    if (name === 'w') {
      spec.widths = value.split(';').map((width) => (/^\d+$/.test(width.trim()) ? Number(width) : Number.NaN));
      continue;
    }
    if (name === 'format') {
      spec.formats = value.split(';').map((format) => format.trim());
      continue;
    }
    if (NUMBER_PARAMS.has(name)) spec[name] = value.trim() === '' ? Number.NaN : Number(value);
    else if (name === 'watermark') spec[name] = value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
    else spec[name] = value;
  }
  checkSpec(spec, where);
  return { kind: 'inline', spec, label: slug(spec.prompt) };
}

/**
 * Rewrites `./` and `../` reference paths of an inline specifier to root-relative ones (`/src/ref.png`), so
 * the module id no longer depends on which file imported it (and holds no machine-specific path).
 */
export function normalizeInline(body: string, importerDir: string | undefined, root: string): string {
  if (!body.startsWith('?') || !importerDir) return body;
  const query = new URLSearchParams(body.slice(1));
  const images = query.getAll('image');
  if (!images.some((image) => image.startsWith('./') || image.startsWith('../'))) return body;
  query.delete('image');
  for (const image of images) {
    const rewritten = image.startsWith('./') || image.startsWith('../') ? `/${relative(root, resolve(importerDir, image)).split(sep).join(posix.sep)}` : image;
    query.append('image', rewritten);
  }
  return `?${query.toString()}`;
}

/** `A lighthouse, at dusk!` → `a-lighthouse-at-dusk` (at most 40 characters; `image` when nothing is left). */
export function slug(text: string): string {
  const words = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return words.slice(0, 40).replace(/-+$/, '') || 'image';
}

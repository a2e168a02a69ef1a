/** The JavaScript of a `seedream:*` module: the same shape from every adapter. */
import type { ImageFacts } from './image/describe.js';
import { VARIANT_MIME } from './image/variants.js';
import type { SeedreamImage, SeedreamVariantFormat } from './types.js';

/** A responsive variant as the module sees it: its URL (a JS expression), width and format. */
export interface ModuleVariant {
  url: string;
  width: number;
  format: SeedreamVariantFormat;
}

export interface ModuleCodeInput {
  /**
   * The image's URL as a JS expression: a string literal (dev, unplugin builds, the CLI's `new URL(…)`) or
   * `import.meta.ROLLDOWN_FILE_URL_<ref>` in a Vite build (Vite turns it into the hashed asset's URL).
   */
  src: string;
  facts: Pick<ImageFacts, 'width' | 'height' | 'format' | 'placeholder'>;
  alt: string;
  /** Responsive variants, any order; grouped by format in first-seen order, widths ascending. */
  variants?: readonly ModuleVariant[];
}

/** Variants grouped by format, in order of first appearance, each group by ascending width. */
export function groupVariants(variants: readonly ModuleVariant[]): Array<[SeedreamVariantFormat, ModuleVariant[]]> {
  const groups = new Map<SeedreamVariantFormat, ModuleVariant[]>();
  for (const variant of variants) {
    const group = groups.get(variant.format) ?? [];
    group.push(variant);
    groups.set(variant.format, group);
  }
  return [...groups].map(([format, group]) => [format, [...group].sort((a, b) => a.width - b.width)]);
}

export function moduleCode({ src, facts, alt, variants = [] }: ModuleCodeInput): string {
  const groups = groupVariants(variants);
  const srcset = groups.map(
    ([format, group]) => `${JSON.stringify(format)}: [${group.map((v) => `${v.url} + ${JSON.stringify(` ${v.width}w`)}`).join(', ')}].join(', ')`,
  );
  const sources = groups.map(([format]) => `{ type: ${JSON.stringify(VARIANT_MIME[format])}, srcset: srcset[${JSON.stringify(format)}] }`);
  return [
    `export const src = ${src};`,
    `export const width = ${facts.width};`,
    `export const height = ${facts.height};`,
    `export const alt = ${JSON.stringify(alt)};`,
    `export const placeholder = ${JSON.stringify(facts.placeholder)};`,
    `export const format = ${JSON.stringify(facts.format)};`,
    `export const srcset = { ${srcset.join(', ')} };`,
    `export const sources = [${sources.join(', ')}];`,
    'export default { src, width, height, alt, placeholder, format, srcset, sources };',
    '',
  ].join('\n');
}

/** Input of `imageValue`: like `ModuleCodeInput`, with every URL a plain string (known at build time). */
export interface ImageValueInput {
  src: string;
  facts: Pick<ImageFacts, 'width' | 'height' | 'format' | 'placeholder'>;
  alt: string;
  variants?: ReadonlyArray<{ url: string; width: number; format: SeedreamVariantFormat }>;
}

/** The value `moduleCode` evaluates to, computed at build time (same fields, order and strings). */
export function imageValue({ src, facts, alt, variants = [] }: ImageValueInput): SeedreamImage {
  const srcset: Partial<Record<SeedreamVariantFormat, string>> = {};
  const sources: SeedreamImage['sources'] = [];
  for (const [format, group] of groupVariants(variants)) {
    srcset[format] = group.map((v) => `${v.url} ${v.width}w`).join(', ');
    sources.push({ type: VARIANT_MIME[format], srcset: srcset[format]! });
  }
  return { src, width: facts.width, height: facts.height, alt, placeholder: facts.placeholder, format: facts.format, srcset, sources };
}

/**
 * The same value as a `JSON.parse` call (pure, so an unused import still tree-shakes): one string literal for
 * the bundler to parse and minify instead of an object literal to analyse, which is most of a warm build's
 * cost in Rollup.
 */
export function imageJsonExpression(value: SeedreamImage): string {
  return jsonExpression(value);
}

/** Any JSON value as a pure `JSON.parse` call of one single-quoted string literal. */
export function jsonExpression(value: unknown): string {
  // Single quotes: JSON's own double quotes need no escaping (JSON text holds no raw line breaks).
  return `/* #__PURE__ */ JSON.parse('${JSON.stringify(value).replace(/[\\']/g, '\\$&')}')`;
}

/**
 * How a build puts an image's files into the bundle, and the URL expression its module gets for each.
 *
 * Vite's own way is a hashed asset referenced as `import.meta.ROLLDOWN_FILE_URL_<ref>`, which Vite turns into a
 * URL that honours a relative `base`, `experimental.renderBuiltUrl` and a custom `assetFileNames`. When none of
 * those is in play (an absolute base, no renderBuiltUrl, no assetFileNames, not a library or SSR build), a file
 * gets the name every adapter gives it (@seedream-kit/art's output names: content-hashed) under `assetsDir`,
 * and the module a literal URL: the same bytes, at a URL Rolldown need not work out. That made warm builds of
 * 100 images about 0.15× of the plain build cheaper in A/B runs (bench/vite.mjs measures the result).
 */
import { posix } from 'node:path';
import { imageExtension, imageOutputName, type ResolvedImage, type ResolvedVariant, slug, variantOutputName } from '@seedream-kit/art';
import type { ResolvedConfig } from 'vite';

interface AssetContext {
  emitFile(file: { type: 'asset'; name?: string; fileName?: string; source: Uint8Array }): string;
}

export interface BuildAssets {
  /** Emits an image's file (once per name) and returns its URL as a JS expression. */
  image(context: AssetContext, label: string, image: ResolvedImage): string;
  /** The same for one of its responsive variants. */
  variant(context: AssetContext, label: string, variant: ResolvedVariant): string;
  /** Forgets what was emitted (each build starts empty). */
  reset(): void;
}

/** True when Vite's URL handling has nothing to add for this build. */
function literalUrlsFit(config: ResolvedConfig): boolean {
  const { build } = config;
  const outputs = [build.rolldownOptions?.output ?? []].flat();
  return (
    (config.base.startsWith('/') || /^[a-z][a-z\d+.-]*:/i.test(config.base)) &&
    config.experimental?.renderBuiltUrl === undefined &&
    !outputs.some((output) => output?.assetFileNames !== undefined) &&
    !build.lib &&
    !build.ssr
  );
}

/** The build's way of emitting, fixed by its resolved config. */
export function buildAssets(config: ResolvedConfig): BuildAssets {
  const literal = literalUrlsFit(config);
  const emitted = new Set<string>();
  /** `name`: the asset's name for Vite to hash; `fileName`: the name to use as it is (literal URLs only). */
  const emit = (context: AssetContext, name: string, fileName: () => string, bytes: Uint8Array): string => {
    if (!literal) return `import.meta.ROLLDOWN_FILE_URL_${context.emitFile({ type: 'asset', name, source: bytes })}`;
    const path = posix.join(config.build.assetsDir, fileName());
    if (!emitted.has(path)) {
      emitted.add(path);
      context.emitFile({ type: 'asset', fileName: path, source: bytes });
    }
    return JSON.stringify(config.base + path);
  };
  return {
    image: (context, label, image) => emit(context, `${slug(label)}.${imageExtension(image.facts.format)}`, () => imageOutputName(label, image), image.bytes),
    variant: (context, label, variant) =>
      emit(context, `${slug(label)}-${variant.width}w.${variant.extension}`, () => variantOutputName(label, variant), variant.bytes),
    reset: () => emitted.clear(),
  };
}

/**
 * How a build puts an image's files into the bundle, and the URL expression its module gets for each.
 *
 * Vite's own way is a hashed asset referenced as `import.meta.ROLLDOWN_FILE_URL_<ref>`, which Vite turns into a
 * URL that honours a relative `base`, `experimental.renderBuiltUrl` and a custom `assetFileNames`. When none of
 * those is in play (an absolute base, no renderBuiltUrl, no assetFileNames, not a library or SSR build), a file
 * gets a fixed name instead, `<assetsDir>/<name>-<first 8 hex of its SHA-256>.<ext>`, and the module a literal
 * URL: the same bytes, at a URL Rolldown need not work out. That made warm builds of 100 images about 0.15× of
 * the plain build cheaper in A/B runs (bench/vite.mjs measures the result).
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { ResolvedConfig } from 'vite';

interface AssetContext {
  emitFile(file: { type: 'asset'; name?: string; fileName?: string; source: Uint8Array }): string;
}

export interface BuildAssets {
  /** Emits a file (once per name) and returns its URL as a JS expression. `sha256` (hex, 8 or more digits) when the cache knows it. */
  emit(context: AssetContext, file: { name: string; extension: string; bytes: Uint8Array; sha256?: string | undefined }): string;
  /** Forgets what was emitted (each build starts empty). */
  reset(): void;
}

/** True when Vite's URL handling has nothing to add for this build. */
export function literalUrlsFit(config: ResolvedConfig): boolean {
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

export function buildAssets(config: () => ResolvedConfig): BuildAssets {
  const emitted = new Set<string>();
  let literal: boolean | undefined;
  return {
    emit(context, { name, extension, bytes, sha256 }) {
      const resolved = config();
      literal ??= literalUrlsFit(resolved);
      if (!literal) return `import.meta.ROLLDOWN_FILE_URL_${context.emitFile({ type: 'asset', name: `${name}.${extension}`, source: bytes })}`;
      const hash = (sha256 ?? createHash('sha256').update(bytes).digest('hex')).slice(0, 8);
      const fileName = posix.join(resolved.build.assetsDir, `${name}-${hash}.${extension}`);
      if (!emitted.has(fileName)) {
        emitted.add(fileName);
        context.emitFile({ type: 'asset', fileName, source: bytes });
      }
      return JSON.stringify(resolved.base + fileName);
    },
    reset() {
      emitted.clear();
      literal = undefined;
    },
  };
}

/**
 * esbuild: named images the cache answers as they are resolve without calling into JavaScript. Every plugin
 * callback is a round trip between esbuild and Node, and two per image cost more than the rest of a warm build.
 * So at setup, each such image's module is written as a file (content-addressed, under
 * `node_modules/.cache/seedream-kit/esbuild`) and `seedream:<name>` becomes an esbuild `alias` of it; the
 * plugin's resolve filter leaves exactly those names out. Which images qualify is kept between builds
 * (alias-decision.ts). Everything else (inline imports, images with reference files or responsive variants,
 * misses, unknown names) goes through the plugin as before. Each build then writes the image files missing from
 * the output folder, each read from the cache and checked against its SHA-256; one already there (its name
 * carries its content's hash) is not read again.
 */
import { resolve } from 'node:path';
import type { OnStartResult, PluginBuild } from 'esbuild';
import { type AliasDecision, type AliasDecisionHost, aliasDecision, readAliasedImage } from './alias-decision.js';
import { writeMissingByFolder } from './cached-modules.js';
import { escapeRegExp } from './escape-regexp.js';
import { exceptPattern } from './except-pattern.js';

export interface EsbuildImageHost extends AliasDecisionHost {
  pluginName: string;
  /** esbuild's `outdir`, where the image files go (none: nothing is written, as for the other images). */
  outdir(): string | undefined;
  /** Records a file as emitted by this build (the per-import path then does not write it again). */
  emitted(file: string): void;
}

const PREFIX = 'seedream:';

/** Sets up the fast path (see above); resolves once esbuild may start. */
export async function esbuildNamedImages(build: PluginBuild, host: EsbuildImageHost): Promise<void> {
  const { engine } = host;
  host.configure();
  // `prune` keeps what a build imports, which the plugin only sees per import.
  const decision = !engine.prunes && engine.named.size > 0 ? await aliasDecision(host, 'esbuild', 'js') : undefined;
  const aliased = decision?.images ?? [];
  if (aliased.length > 0) {
    build.initialOptions.alias = {
      ...build.initialOptions.alias,
      ...Object.fromEntries(aliased.map((image) => [PREFIX + image.name, image.modulePath])),
    };
  }

  const filter = new RegExp(
    `^${escapeRegExp(PREFIX)}${exceptPattern(
      aliased.map((image) => image.name),
      '?',
    )}`,
  );
  build.onResolve({ filter }, (args) => {
    const id = engine.resolveId(args.path, args.kind === 'entry-point' ? undefined : args.importer || undefined);
    return id ? { path: id, namespace: host.pluginName } : undefined;
  });

  if (!decision) return;
  // Every build (a rebuild of an esbuild context too): the output folder may have been emptied since.
  build.onStart(async (): Promise<OnStartResult> => {
    const errors = await writeImages(decision, host.outdir(), engine.cacheDir!);
    for (const image of aliased) host.emitted(image.file);
    // The aliases are fixed for the life of an esbuild context: an image whose cache file changed needs new ones.
    return { errors: errors.map((text) => ({ text: `${text} (an esbuild context: set it up again)` })) };
  });
}

/** Writes the aliased images missing from `outdir`; returns the errors of those that no longer match the cache. */
async function writeImages(decision: AliasDecision, outdir: string | undefined, cacheDir: string): Promise<string[]> {
  if (!outdir) return [];
  const errors: string[] = [];
  await writeMissingByFolder(
    decision.images.map((image) => ({
      path: resolve(outdir, image.file),
      bytes: async () => {
        const read = readAliasedImage(decision, image, cacheDir);
        if ('error' in read) errors.push(read.error);
        return 'error' in read ? undefined : read.bytes;
      },
    })),
  );
  return errors;
}

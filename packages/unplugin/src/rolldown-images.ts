/**
 * Rolldown: named images the cache answers as they are resolve without calling into JavaScript, as for esbuild
 * (esbuild-images.ts). Every plugin hook is a round trip between Rolldown's Rust threads and Node; two per image
 * were most of what a warm build of 100 images cost over plain image imports.
 *
 * In the `options` hook each such image becomes a `resolve.alias` of a module file (content-addressed, under
 * `node_modules/.cache/seedream-kit/rolldown`) and the plugin's resolve filter leaves exactly those names out
 * (Rolldown reads hook filters after its `options` hooks). Which images qualify is kept between builds
 * (alias-decision.ts). The images are emitted in `generateBundle`, for the modules the build holds, read
 * synchronously (reading them while Rolldown builds was slower) and checked against their SHA-256.
 *
 * Watch mode and `prune` keep every import on the per-import path (reference files are watched per import;
 * prune keeps what a build imports).
 */
import { type AliasDecision, type AliasDecisionHost, aliasDecision, readAliasedImage } from './alias-decision.js';
import { escapeRegExp } from './escape-regexp.js';
import { exceptPattern } from './except-pattern.js';

export interface RolldownImageHost extends AliasDecisionHost {
  /** The plugin's resolve filter, narrowed in place. */
  resolveFilter: { id: RegExp };
}

/** The parts of Rolldown's plugin context and input options used here. */
interface OptionsContext {
  meta: { watchMode: boolean };
}
interface InputOptionsLike {
  resolve?: { alias?: Record<string, string[] | string | false> } & Record<string, unknown>;
}
interface BundleContext {
  getModuleIds(): IterableIterator<string>;
  emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): string;
  error(message: string): never;
}

const PREFIX = 'seedream:';

export function rolldownNamedImages(host: RolldownImageHost) {
  const { engine } = host;
  const fullFilter = host.resolveFilter.id;
  /** This build's decision (none: every import goes through the plugin). */
  let decision: AliasDecision | undefined;

  return {
    async options(this: OptionsContext, input: InputOptionsLike): Promise<InputOptionsLike | null> {
      decision = undefined;
      host.resolveFilter.id = fullFilter;
      if (this.meta.watchMode || engine.prunes || engine.named.size === 0) return null;
      decision = await aliasDecision(host, 'rolldown', 'js');
      if (!decision) return null;
      host.resolveFilter.id = new RegExp(`^${escapeRegExp(PREFIX)}${exceptPattern(decision.images.map((image) => image.name))}`);
      const alias = Object.fromEntries(decision.images.map((image) => [PREFIX + image.name, image.modulePath]));
      return { ...input, resolve: { ...input.resolve, alias: { ...input.resolve?.alias, ...alias } } };
    },

    /** Emits the image of every aliased module this build holds. */
    generateBundle(this: BundleContext): void {
      if (!decision) return;
      const cacheDir = engine.cacheDir!;
      const held = new Set(this.getModuleIds());
      const written = new Set<string>();
      for (const image of decision.images) {
        if (!held.has(image.modulePath) || written.has(image.file)) continue;
        const read = readAliasedImage(decision, image, cacheDir);
        if ('error' in read) this.error(read.error);
        written.add(image.file);
        this.emitFile({ type: 'asset', fileName: image.file, source: read.bytes });
      }
    },
  };
}

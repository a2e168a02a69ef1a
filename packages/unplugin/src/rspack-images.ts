/**
 * Rspack: a named image the cache answers as it is becomes a JSON module file (under
 * `node_modules/.cache/seedream-kit/rspack`), which Rspack parses natively, and its image is emitted from the
 * cache in `processAssets`. The per-import path (rspack-modules.ts) does, per image, the engine's work, a
 * virtual file and a JavaScript module; on a warm build of 100 images that cost 1.4–1.55× of the plain build,
 * and JSON modules with the decision kept 1.06–1.37× (hand-built arms). Which images qualify is kept between
 * builds (alias-decision.ts).
 *
 * A JSON module has only a default export for a strict ES-module importer (`.mjs`, or `.js` in a package of
 * `"type": "module"`): a named import from it would fail the build, and Rspack's resolve hooks do not say which
 * exports an importer reads. So only importers that are surely not strict get the JSON module (`.cjs`, `.cts`,
 * `.jsx`, `.ts`, `.tsx`, and `.js` whose nearest `package.json` does not say `"type": "module"`, in a project
 * whose rules set no `javascript/esm` type); the others take the per-import path as before.
 *
 * Watch mode and `prune` keep every import on the per-import path.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Compiler } from '@rspack/core';
import { type AliasDecision, type AliasDecisionHost, aliasDecision, readAliasedImage } from './alias-decision.js';
import { IMMUTABLE } from './rspack-modules.js';

const PREFIX = 'seedream:';

/** The fast path's part in the resolve hook: the module file for an import, or undefined (the per-import path). */
export type AliasedModule = (request: string, issuer: string | undefined) => string | undefined;

export function rspackNamedImages(compiler: Compiler, pluginName: string, host: AliasDecisionHost): AliasedModule {
  const { engine } = host;
  /** This build's decision, and its module files by image name (none: every import goes through the plugin). */
  let current: { decision: AliasDecision; modules: Map<string, string> } | undefined;
  /** The nearest `package.json`'s `type` per folder, for this build. */
  const packageTypes = new Map<string, string | undefined>();
  // A rule that makes modules strict ES modules could make any importer strict: then no JSON modules at all.
  const strictRules = (() => {
    try {
      return JSON.stringify(compiler.options.module.rules, (_key, value) => (value instanceof RegExp ? String(value) : value)).includes('"javascript/esm"');
    } catch {
      return true;
    }
  })();

  const packageType = (folder: string): string | undefined => {
    if (packageTypes.has(folder)) return packageTypes.get(folder);
    let type: string | undefined;
    try {
      const found = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { type?: unknown };
      type = typeof found.type === 'string' ? found.type : 'commonjs';
    } catch (error) {
      const parent = dirname(folder);
      // No package.json here (or an unreadable one: then not surely non-strict).
      type = (error as NodeJS.ErrnoException).code !== 'ENOENT' ? 'module' : parent === folder ? undefined : packageType(parent);
    }
    packageTypes.set(folder, type);
    return type;
  };

  // Rspack's default rules (2.3) make `.mjs` strict, and `.js` in a package of `"type": "module"`; no default
  // rule types `.cjs`, `.cts`, `.jsx`, `.ts` or `.tsx` as strict ES modules.
  const surelyNotStrict = (issuer: string | undefined): boolean => {
    if (!issuer || strictRules) return false;
    const path = issuer.split('?')[0]!;
    if (/\.(c[jt]s|jsx|tsx?)$/i.test(path)) return true;
    if (!/\.js$/i.test(path)) return false;
    return packageType(dirname(path)) !== 'module';
  };

  compiler.hooks.beforeRun.tapPromise(pluginName, async () => {
    current = undefined;
    packageTypes.clear();
    if (engine.prunes || engine.named.size === 0) return;
    const decision = await aliasDecision(host, 'rspack', 'json');
    if (decision) current = { decision, modules: new Map(decision.images.map((image) => [image.name, image.modulePath])) };
  });
  // Watch mode: reference files and rebuilds go through the per-import path.
  compiler.hooks.watchRun.tap(pluginName, () => {
    current = undefined;
  });

  compiler.hooks.thisCompilation.tap(pluginName, (compilation) => {
    if (!current) return;
    const { decision } = current;
    compilation.hooks.processAssets.tap({ name: pluginName, stage: compiler.rspack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
      const held = new Set<string>();
      for (const module of compilation.modules) {
        // A normal module's file (Rspack's Module type leaves `resource` to NormalModule).
        const { resource } = module as { resource?: string };
        if (resource) held.add(resource);
      }
      for (const image of decision.images) {
        // Already there: the per-import path emitted it for a strict importer of the same image.
        if (!held.has(image.modulePath) || compilation.getAsset(image.file)) continue;
        const read = readAliasedImage(decision, image, engine.cacheDir!);
        if ('error' in read) {
          compilation.errors.push(new compiler.rspack.WebpackError(read.error));
          continue;
        }
        compilation.emitAsset(image.file, new compiler.rspack.sources.RawSource(Buffer.from(read.bytes)), IMMUTABLE);
      }
    });
  });

  return (request, issuer) => {
    if (!current || !request.startsWith(PREFIX)) return undefined;
    const path = current.modules.get(request.slice(PREFIX.length));
    return path && surelyNotStrict(issuer) ? path : undefined;
  };
}

/**
 * `seedream generate | check | prune`: the engine from the command line, for frameworks without a bundler hook
 * and for teams that prefer an explicit step. Reads a manifest (`seedream.images.json`: the plugins' image
 * specs), fills or checks or prunes the same cache the plugins use, and writes typed modules.
 */
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { variantId } from '../cache/manifest.js';
import { ArtEngine } from '../engine.js';
import type { ImageRequest } from '../generate/request.js';
import { variantWidths } from '../image/variants.js';
import { redact } from '../internal/redact.js';
import { DEFAULT_MANIFEST, type LoadedManifest, loadManifest } from './manifest.js';
import { type ModuleImage, writeModules } from './modules.js';
import { createProgress } from './progress.js';

export const USAGE = `Usage: seedream <command> [options]

Commands:
  generate   generate what the manifest lists and the cache lacks; write the modules ("out")
  check      exit 1 when an image of the manifest (or one of its variants) is missing from the cache
  prune      delete cache entries and files the manifest does not list

Options:
  -m, --manifest <file>   the manifest (default ${DEFAULT_MANIFEST})
      --offline           never touch the network (default when CI is set): a miss is an error
      --concurrency <n>   most generations at once (default: the manifest's, else 4)
  -h, --help              this text

The key is COMETAPI_KEY (COMETAPI_BASE_URL for another endpoint); without one, images are made by an
in-process emulator (placeholder art, marked "emulator" in the lock file).`;

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Runs the CLI; resolves with the exit code (0 ok, 1 missing/failed images, 2 usage or manifest error). */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const say = (text: string) => void io.stdout.write(`${redact(text, process.env.COMETAPI_KEY)}\n`);
  const complain = (text: string) => void io.stderr.write(`${redact(text, process.env.COMETAPI_KEY)}\n`);
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    complain(`seedream: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.values.help || args.positionals.length === 0) {
    (args.values.help ? say : complain)(USAGE);
    return args.values.help ? 0 : 2;
  }
  const [command, ...extra] = args.positionals;
  if (!['generate', 'check', 'prune'].includes(command!) || extra.length > 0) {
    complain(`seedream: unknown command "${args.positionals.join(' ')}"\n\n${USAGE}`);
    return 2;
  }
  const concurrency = args.values.concurrency === undefined ? undefined : Number(args.values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    complain('seedream: --concurrency must be a positive integer');
    return 2;
  }

  let manifest: LoadedManifest;
  try {
    manifest = await loadManifest(args.values.manifest ?? DEFAULT_MANIFEST);
  } catch (error) {
    complain(`seedream: ${(error as Error).message}`);
    return 2;
  }
  const engine = new ArtEngine({
    images: manifest.images,
    ...(manifest.defaults ? { defaults: manifest.defaults } : {}),
    ...(manifest.cacheDir ? { cacheDir: manifest.cacheDir } : {}),
    concurrency: concurrency ?? manifest.concurrency ?? 4,
    // check and prune never generate; generate goes online unless told (or CI) otherwise.
    ...(command !== 'generate' || args.values.offline ? { offline: true } : {}),
    strict: true,
    prune: false,
  });
  const warnings: string[] = [];
  engine.configure({ root: manifest.root, log: { info: () => undefined, warn: (message) => void warnings.push(message) } });
  const cacheName = relative(process.cwd(), engine.cacheDir!) || '.';

  try {
    const requests = new Map<string, ImageRequest>();
    for (const name of manifest.named.keys()) requests.set(name, await engine.request(name));
    const generator = await engine.generator();
    if (command === 'prune') {
      const removed = await generator.store.prune(new Set([...requests.values()].map((request) => request.key)));
      say(
        `seedream prune: removed ${removed.entries.length} entr${removed.entries.length === 1 ? 'y' : 'ies'} and ${removed.files.length} file(s) from ${cacheName}`,
      );
      for (const key of removed.entries) say(`  entry ${key.slice(0, 16)}…`);
      for (const file of removed.files) say(`  file ${file}`);
      return 0;
    }

    if (command === 'check') {
      const missing: string[] = [];
      for (const [name, request] of requests) {
        const found = await generator.lookup(request);
        if (found.status === 'miss') {
          missing.push(`  ${name}: ${found.reason}`);
          continue;
        }
        const { responsive } = request;
        if (!responsive) continue;
        const absent = variantWidths(responsive.widths, found.image.facts.width)
          .flatMap((width) => responsive.formats.map((format) => ({ width, format })))
          .filter(({ width, format }) => !generator.store.readVariant(request.key, width, format))
          .map(({ width, format }) => variantId(width, format));
        if (absent.length > 0) missing.push(`  ${name}: variants ${absent.join(', ')} not in the cache`);
      }
      if (missing.length > 0) {
        complain(`seedream check: ${missing.length} of ${requests.size} images missing from ${cacheName} (run \`seedream generate\`):\n${missing.join('\n')}`);
        return 1;
      }
      say(`seedream check: all ${requests.size} images are in ${cacheName}`);
      return 0;
    }

    // generate
    const misses = new Set<string>();
    for (const [name, request] of requests) if ((await generator.lookup(request)).status === 'miss') misses.add(name);
    const progress = createProgress(io.stderr);
    progress.start(misses.size);
    const failures: string[] = [];
    const results: ModuleImage[] = [];
    await Promise.all(
      [...requests].map(async ([name, request]) => {
        try {
          const image = await engine.image(request);
          await engine.variants(image);
          if (misses.has(name)) progress.done(name, `${image.facts.width}x${image.facts.height} ${image.facts.format}`);
          const entry = generator.store.entry(request.key)!;
          const ids = request.responsive
            ? variantWidths(request.responsive.widths, image.facts.width).flatMap((width) =>
                request.responsive!.formats.map((format) => variantId(width, format)),
              )
            : [];
          results.push({ name, alt: request.alt, entry, variantIds: new Set(ids) });
        } catch (error) {
          const message = (error as Error).message.replace(/^seedream: /, '');
          failures.push(`  ${name}: ${message}`);
          if (misses.has(name)) progress.failed(name, message);
        }
      }),
    );
    progress.end();
    await engine.finish({ failed: failures.length > 0 });
    for (const warning of warnings) complain(warning);
    if (failures.length > 0) {
      complain(`seedream generate: ${failures.length} of ${requests.size} images failed:\n${failures.join('\n')}`);
      return 1;
    }
    let modules = '';
    if (manifest.out) {
      const out = resolve(manifest.root, manifest.out);
      results.sort((a, b) => a.name.localeCompare(b.name));
      const written = await writeModules({
        images: results,
        out,
        cacheDir: engine.cacheDir!,
        index: manifest.index ?? false,
        ...(manifest.assets ? { assets: manifest.assets } : {}),
        manifestName: basename(manifest.path),
      });
      modules = `; ${written.length} module file(s) written to ${relative(process.cwd(), out) || '.'}`;
    }
    say(`seedream generate: ${requests.size} images, ${misses.size} generated, ${requests.size - misses.size} cached in ${cacheName}${modules}`);
    return 0;
  } catch (error) {
    complain(`seedream ${command}: ${(error as Error).message.replace(/^seedream: /, '')}`);
    return 1;
  } finally {
    await engine.close({ abort: false });
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      manifest: { type: 'string', short: 'm' },
      offline: { type: 'boolean' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

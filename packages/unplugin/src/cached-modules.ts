/**
 * The module files of the alias fast paths (esbuild-images.ts, rolldown-images.ts): a named image the cache
 * answers as it is becomes a module file the bundler reads itself, so its imports skip the plugin's hooks.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { slug } from '@seedream-kit/art';
import { writeFileAtomic } from '@seedream-kit/core/node';

/** A named image's module, made from the lock file alone. */
export interface CachedModule {
  /** The name in the plugin's `images` option. */
  name: string;
  /** Its cache key. */
  key: string;
  /** The module's JavaScript (the same as the plugin would load). */
  code: string;
  /** The image's file name inside the output folder (`assets/hero-0a1b2c3d.png`). */
  file: string;
  /** The image's file in the cache folder, and the SHA-256 its lock entry records. */
  entry: { file: string; sha256: string };
}

/** Where a bundler's module files go: `node_modules/.cache/seedream-kit/<bundler>` under the project root. */
export const modulesFolder = (root: string, bundler: 'esbuild' | 'rolldown' | 'rspack'): string =>
  join(root, 'node_modules', '.cache', 'seedream-kit', bundler);

/** A module's file name: content-addressed, and named after the image (bundlers name its bindings after the file). */
export const moduleFileName = (module: Pick<CachedModule, 'name' | 'code'>, extension: 'js' | 'json' = 'js'): string =>
  `${slug(module.name)}-${createHash('sha256').update(module.code).digest('hex').slice(0, 32)}.${extension}`;

export interface Output {
  path: string;
  /** The content, or undefined to skip the file (reported by the caller). */
  bytes(): Promise<Uint8Array | string | undefined>;
}

/** Writes the outputs (all in `folder`) that are not there yet. */
export async function writeMissing(folder: string, outputs: Output[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  const present = new Set(await readdir(folder));
  await Promise.all(
    outputs
      .filter((output) => !present.has(output.path.slice(folder.length + 1)))
      .map(async (output) => {
        const bytes = await output.bytes();
        // Whole or absent under its name: a later build trusts a file that is there.
        if (bytes !== undefined) await writeFileAtomic(output.path, bytes, { durable: false });
      }),
  );
}

/** writeMissing for outputs spread over several folders. */
export async function writeMissingByFolder(outputs: Output[]): Promise<void> {
  const folders = new Map<string, Output[]>();
  for (const output of outputs) {
    const folder = dirname(output.path);
    folders.set(folder, [...(folders.get(folder) ?? []), output]);
  }
  await Promise.all([...folders].map(([folder, inFolder]) => writeMissing(folder, inFolder)));
}

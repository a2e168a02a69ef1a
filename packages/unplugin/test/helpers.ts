/** Builds of one fixture app by six bundlers, against a real emulator over HTTP on 127.0.0.1. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Emulator } from '@seedream-kit/emulator';
import { cleanup, copyToTemp, FAKE_KEY, type ImageModule, readTree, sha256, testEmulator } from '@seedream-kit/plugin-harness';
import type { SeedreamUnpluginOptions } from '../src/index.js';
import esbuildPlugin from '../src/esbuild.js';
import rolldownPlugin from '../src/rolldown.js';
import rollupPlugin from '../src/rollup.js';
import rspackPlugin from '../src/rspack.js';
import vitePlugin from '../src/vite.js';
import webpackPlugin from '../src/webpack.js';

// Shared with the other build plugin's tests (@seedream-kit/plugin-harness); this package's tests import them from here.
export { cleanup, FAKE_KEY, type ImageModule, readTree, sha256, testEmulator };

const FIXTURE = join(import.meta.dirname, 'fixtures', 'app');

/** Copies the fixture app to a fresh temporary folder (removed by `cleanup`). */
export const copyFixture = (): Promise<string> => copyToTemp(FIXTURE, 'seedream-unplugin-');

export const IMAGES: SeedreamUnpluginOptions['images'] = {
  hero: {
    prompt: 'a lighthouse at dusk',
    model: 'doubao-seedream-5-0-pro-260628',
    size: '1280x720',
    output_format: 'png',
    image: 'src/ref.png',
    alt: 'Lighthouse',
  },
  card: 'a paper boat on a pond',
};
export const DEFAULTS: SeedreamUnpluginOptions['defaults'] = { model: 'doubao-seedream-3-0-t2i-250415', size: '512x512' };

export interface Messages {
  info: string[];
  warn: string[];
}

/** Options for the fixture: online against `emulator` with the fake key, logs captured. */
export function fixtureOptions(root: string, emulator: Emulator, messages: Messages, extra: SeedreamUnpluginOptions = {}): SeedreamUnpluginOptions {
  return {
    root,
    images: IMAGES,
    defaults: DEFAULTS,
    apiKey: FAKE_KEY,
    baseURL: emulator.baseURL,
    offline: false,
    logger: { info: (message) => void messages.info.push(message), warn: (message) => void messages.warn.push(message) },
    ...extra,
  };
}

export type Bundler = 'vite' | 'webpack' | 'rspack' | 'rollup' | 'esbuild' | 'rolldown';
export const BUNDLERS: Bundler[] = ['vite', 'webpack', 'rspack', 'rollup', 'esbuild', 'rolldown'];

/** Builds `root/src/main.js` into `root/<out>` with `bundler` (ESM, unminified); resolves once written. */
export async function buildWith(bundler: Bundler, root: string, options: SeedreamUnpluginOptions, out = 'dist'): Promise<string> {
  const input = join(root, 'src/main.js');
  const outDir = join(root, out);
  switch (bundler) {
    case 'vite': {
      const { build } = await import('vite');
      await build({
        root,
        configFile: false,
        logLevel: 'silent',
        plugins: [vitePlugin(options)],
        build: {
          outDir,
          emptyOutDir: true,
          modulePreload: false,
          minify: false,
          rolldownOptions: { input, output: { entryFileNames: 'main.js' } },
        },
      });
      break;
    }
    case 'webpack':
    case 'rspack': {
      const config = {
        mode: 'production' as const,
        context: root,
        target: 'node',
        entry: input,
        output: { path: outDir, filename: 'main.js', module: true, chunkFormat: 'module' as const, library: { type: 'module' } },
        experiments: { outputModule: true },
        optimization: { minimize: false },
        infrastructureLogging: { level: 'none' as const },
      };
      const compile =
        bundler === 'webpack'
          ? (await import('webpack')).default({ ...config, plugins: [webpackPlugin(options)] })
          : (await import('@rspack/core')).rspack({ ...config, plugins: [rspackPlugin(options)] } as never);
      await new Promise<void>((resolve, reject) => {
        (compile as { run: (cb: (error: Error | null, stats?: { hasErrors(): boolean; toString(o: unknown): string }) => void) => void }).run(
          (error, stats) => {
            if (error) return reject(error);
            if (stats?.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true })));
            resolve();
          },
        );
      });
      await new Promise<void>((resolve) => (compile as { close: (cb: () => void) => void }).close(() => resolve()));
      break;
    }
    case 'rollup': {
      const { rollup } = await import('rollup');
      const bundle = await rollup({ input, plugins: [rollupPlugin(options)], onwarn: () => undefined });
      await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'main.js' });
      await bundle.close();
      break;
    }
    case 'rolldown': {
      const { rolldown } = await import('rolldown');
      const bundle = await rolldown({ input, plugins: [rolldownPlugin(options)], logLevel: 'silent' });
      await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'main.js' });
      await bundle.close();
      break;
    }
    case 'esbuild': {
      const esbuild = await import('esbuild');
      await esbuild.build({
        entryPoints: [input],
        bundle: true,
        format: 'esm',
        outdir: outDir,
        entryNames: 'main',
        logLevel: 'silent',
        plugins: [esbuildPlugin(options)],
      });
      break;
    }
  }
  return outDir;
}

export type FixtureImages = {
  hero: ImageModule;
  card: ImageModule;
  kite: ImageModule;
  bay: ImageModule;
  cardWidth: number;
  baySources: ImageModule['sources'];
};

/** Runs the built bundle and returns what it put on `globalThis.seedreamImages`. */
export async function evaluate(outDir: string): Promise<FixtureImages> {
  const scope = globalThis as { seedreamImages?: FixtureImages };
  delete scope.seedreamImages;
  await import(pathToFileURL(join(outDir, 'main.js')).href);
  const images = scope.seedreamImages;
  delete scope.seedreamImages;
  if (!images) throw new Error(`${outDir}/main.js did not set globalThis.seedreamImages`);
  return images;
}

/** The output file an exported URL (`/assets/x.png`) names. */
export const fileOf = (outDir: string, url: string) => readFile(join(outDir, url.replace(/^\//, '')));

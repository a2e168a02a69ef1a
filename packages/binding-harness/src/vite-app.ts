/**
 * A binding's app for the browser suite (`describeBrowserSuite`): its small Vite app in `test/app`, built for
 * production with the framework's plugin. The app imports the binding by name and gets the package's built `dist`,
 * as an app that installed it would.
 */
import { resolve } from 'node:path';
import type { PluginOption } from 'vite';
import type { BrowserApp } from './browser-suite.js';

export interface BindingAppOptions {
  /** Names the suite: `vue 3.5.45`. */
  name: string;
  /** The binding's package folder (its app is `test/app`, its build `dist`). */
  root: string;
  /** What the app imports: `@seedream-kit/vue`. */
  packageName: string;
  /** The framework's Vite plugin: `vue()`, `svelte()`. */
  plugin: PluginOption;
}

/** A pattern that matches `specifier` and nothing longer (not its subpaths). */
const exactly = (specifier: string) => new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

export function bindingApp({ name, root, packageName, plugin }: BindingAppOptions): BrowserApp {
  return {
    name,
    async build(outDir) {
      // Loaded here, not at the top: every user of this package's entry (the DOM suites, the apps) would load Vite.
      const { build } = await import('vite');
      await build({
        root: resolve(root, 'test/app'),
        configFile: false,
        mode: 'production',
        logLevel: 'silent',
        define: { 'process.env.NODE_ENV': '"production"' },
        plugins: [plugin],
        resolve: { alias: [{ find: exactly(packageName), replacement: resolve(root, 'dist/index.js') }] },
        build: { outDir, emptyOutDir: true, target: 'es2022' },
      });
    },
  };
}

// The shared browser suite (@seedream-kit/binding-harness) on a small Vite + Svelte app (test/app), built on dist.
import { resolve } from 'node:path';
import { bindingApp, describeBrowserSuite } from '@seedream-kit/binding-harness';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VERSION } from 'svelte/compiler';

const root = resolve(import.meta.dirname, '..');

describeBrowserSuite(bindingApp({ name: `svelte ${VERSION}`, root, packageName: '@seedream-kit/svelte', plugin: svelte() }));

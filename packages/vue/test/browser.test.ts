// The shared browser suite (@seedream-kit/binding-harness) on a small Vite + Vue app (test/app), built on dist.
import { resolve } from 'node:path';
import { bindingApp, describeBrowserSuite } from '@seedream-kit/binding-harness';
import vue from '@vitejs/plugin-vue';
import { version } from 'vue';

const root = resolve(import.meta.dirname, '..');

describeBrowserSuite(bindingApp({ name: `vue ${version}`, root, packageName: '@seedream-kit/vue', plugin: vue() }));

// The shared bundle-size suite (@seedream-kit/binding-harness) on the built package, Svelte external.
import { resolve } from 'node:path';
import { describeBundleSuite } from '@seedream-kit/binding-harness';

describeBundleSuite({
  name: '@seedream-kit/svelte',
  root: resolve(import.meta.dirname, '..'),
  provider: 'setSeedreamContext',
  external: ['svelte', 'svelte/*'],
});

// The shared bundle-size suite (@seedream-kit/binding-harness) on the built package, Vue external.
import { resolve } from 'node:path';
import { describeBundleSuite } from '@seedream-kit/binding-harness';

describeBundleSuite({ name: '@seedream-kit/vue', root: resolve(import.meta.dirname, '..'), provider: 'SeedreamProvider', external: ['vue'] });

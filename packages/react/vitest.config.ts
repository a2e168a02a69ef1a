import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Hook tests (*.test.tsx) run in happy-dom with Node's fetch stack kept (see binding-harness's dom-environment.ts):
// the route and the emulator run in the same process and need Node's Request/Response. They run twice: on
// React 19 (the devDependency) and on React 18 (the `react18` / `react-dom18` aliases; see
// test/react18-setup.ts). Everything else runs in node.
const modules = (name: string) => resolve(process.cwd(), 'node_modules', name);
// The DOM environment the bindings' suites share (private @seedream-kit/binding-harness, read by path: it depends on
// this package).
const dom = '../binding-harness/src/dom-environment.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    passWithNoTests: true,
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], environment: 'node' } },
      { extends: true, test: { name: 'react19', include: ['test/**/*.test.tsx'], environment: dom } },
      {
        extends: true,
        resolve: {
          alias: [
            { find: /^react(\/.*)?$/, replacement: `${modules('react18')}$1` },
            { find: /^react-dom(\/.*)?$/, replacement: `${modules('react-dom18')}$1` },
          ],
        },
        test: { name: 'react18', include: ['test/**/*.test.tsx'], environment: dom, setupFiles: ['./test/react18-setup.ts'] },
      },
    ],
  },
});

/**
 * Runs the hook tests on React 18 (the `react18` / `react-dom18` aliases): Vite's aliases (vitest.config.ts)
 * cover our sources, and this redirect covers CommonJS `require('react')` inside react-dom and Testing Library.
 */
import Module from 'node:module';
import { resolve as resolvePath } from 'node:path';

const react = resolvePath(process.cwd(), 'node_modules/react18');
const reactDom = resolvePath(process.cwd(), 'node_modules/react-dom18');
const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (request, ...rest) {
  const redirected = request.replace(/^react-dom(?=\/|$)/, reactDom).replace(/^react(?=\/|$)/, react);
  return resolve.call(this, redirected, ...rest);
};

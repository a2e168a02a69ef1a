/**
 * happy-dom for the DOM, Node's own fetch stack for the network. The hook tests run the route and the
 * emulator in the same process, and those must use Node's fetch/Request/Response/streams, not happy-dom's
 * (which adds CORS checks and its own stream classes). The transport under test uses the same Node fetch,
 * which is what `createHttpTransport({ fetch })` would be given anyway.
 */
import { builtinEnvironments, type Environment } from 'vitest/runtime';

const NODE_GLOBALS = [
  'fetch',
  'Request',
  'Response',
  'Headers',
  'AbortController',
  'AbortSignal',
  'URL',
  'URLSearchParams',
  'FormData',
  'Blob',
  'File',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
  'TextEncoder',
  'TextDecoder',
] as const;

const environment: Environment = {
  name: 'happy-dom-node-fetch',
  viteEnvironment: 'client',
  async setup(global, options) {
    const saved = Object.fromEntries(NODE_GLOBALS.map((key) => [key, (global as Record<string, unknown>)[key]]));
    const happy = await builtinEnvironments['happy-dom'].setup(global, options);
    for (const [key, value] of Object.entries(saved)) if (value !== undefined) (global as Record<string, unknown>)[key] = value;
    return happy;
  },
};

export default environment;

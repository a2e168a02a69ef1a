/**
 * happy-dom for the DOM, Node's own fetch stack for the network (@seedream-kit/react's hook tests use it too): the
 * route, the GraphQL server and the emulator run in the test process and need Node's fetch, Request, Response and
 * streams, not happy-dom's (which adds CORS checks and its own stream classes). The transports under test use the
 * same Node fetch. A vitest environment: `environment: '@seedream-kit/binding-harness/dom-environment'`.
 */
import { builtinEnvironments, type Environment } from 'vitest/runtime';

// Event and EventTarget too: the GraphQL server (whatwg-node) subclasses the global EventTarget for its abort
// signals and hands them to Node's own AbortSignal machinery, which refuses happy-dom's class.
const NODE_GLOBALS = [
  'Event',
  'EventTarget',
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

/**
 * @seedream-kit/react/server: the route `useSeedream` talks to. Server only: it holds the core client, and
 * with it the API key.
 */
export { createSeedreamRoute, DEFAULT_ROUTE_LIMITS } from './server/route.js';
export type { SeedreamRouteOptions, SeedreamRouteHandler, RouteLimits, RateLimitVerdict } from './server/route.js';
export { toNodeHandler } from './server/node.js';
export type { NodeHandler } from './server/node.js';
export { toWireError } from './server/wire-error.js';
export type { WireError } from './server/wire-error.js';

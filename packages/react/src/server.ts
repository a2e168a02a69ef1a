/**
 * @seedream-kit/react/server: the route `useSeedream` talks to. Server only: it holds the core client, and
 * with it the API key. The spending policy comes from `@seedream-kit/core/server` (re-exported here).
 */
export { createSeedreamRoute } from './server/route.js';
export type { SeedreamRouteOptions, SeedreamRouteHandler } from './server/route.js';
export { toNodeHandler } from './server/node.js';
export type { NodeHandler } from './server/node.js';
export { toWireError } from './server/wire-error.js';
export type { WireError } from './server/wire-error.js';
export {
  createSpendingPolicy,
  toSpendingPolicy,
  createUploadHandler,
  MemoryUploadStore,
  MemoryBudgetStore,
  DEFAULT_POLICY_LIMITS,
} from '@seedream-kit/core/server';
export type { SpendingPolicy, SpendingPolicyOptions, PolicyLimits, Caller, AuthorizeVerdict, RateLimitVerdict } from '@seedream-kit/core/server';

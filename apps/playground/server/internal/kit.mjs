// @ts-check
/**
 * The kit's two server adapters, bound to the playground's one core client and its one spending policy: the route
 * of @seedream-kit/react (`/api/seedream`, what the hook's HTTP transport calls), the schema of
 * @seedream-kit/graphql served by graphql-yoga (`/graphql`), and the reference-image upload (`/api/uploads`).
 * Both adapters take the same policy object, so they enforce exactly the same rules.
 */
import { createSpendingPolicy, createUploadHandler, MemoryUploadStore } from '@seedream-kit/core/server';
import { createSeedreamYoga } from '@seedream-kit/graphql/yoga';
import { createSeedreamRoute, toNodeHandler } from '@seedream-kit/react/server';

/**
 * A series may use the whole group (15 images with the references); the form offers up to 14 references, uploaded
 * one by one and named by handle, so a generation's JSON body stays small. Budgets are the policy's defaults.
 */
export const PLAYGROUND_LIMITS = { maxImagesPerRequest: 15, maxReferenceImages: 14, maxPromptLength: 4000 };

/**
 * @param {{
 *   client: import('@seedream-kit/core').SeedreamClient,
 *   authorize: (request: Request) => string | false,
 *   budget?: import('@seedream-kit/core/server').SpendingPolicyOptions['budget'],
 * }} options authorize names the caller (the session id) or refuses
 */
export function createKit({ client, authorize, budget }) {
  const uploads = new MemoryUploadStore();
  const policy = createSpendingPolicy({ authorize, limits: PLAYGROUND_LIMITS, uploads, ...(budget !== undefined ? { budget } : {}) });
  const route = createSeedreamRoute({
    client,
    policy,
    onError: (error) => console.error('[playground] route:', error instanceof Error ? error.message : error),
  });
  const yoga = createSeedreamYoga({
    client,
    policy,
    limits: { maxGenerationsPerOperation: 1, maxImagesPerOperation: PLAYGROUND_LIMITS.maxImagesPerRequest },
    yoga: { graphqlEndpoint: '/graphql', landingPage: false, graphiql: false, maskedErrors: true },
  });
  const upload = createUploadHandler({ policy, store: uploads });
  return { policy, route: toNodeHandler(route), graphql: yoga, upload: toNodeHandler(upload) };
}

// @ts-check
/**
 * The kit's two server adapters, bound to the playground's one core client, its one spending policy and its one
 * set of jobs: the route of @seedream-kit/react (`/api/seedream`, what the hook's HTTP transport calls, with its
 * jobs under `/api/seedream/jobs/…`), the schema of @seedream-kit/graphql served by graphql-yoga (`/graphql`),
 * and the reference-image upload (`/api/uploads`). Both adapters take the same policy and jobs objects, so they
 * enforce exactly the same rules and see the same jobs.
 */
import { createFilePersistence } from '@seedream-kit/core/node';
import { createJobs, createSpendingPolicy, createUploadHandler, MemoryUploadStore } from '@seedream-kit/core/server';
import { createSeedreamYoga } from '@seedream-kit/graphql/yoga';
import { createSeedreamRoute, toNodeHandler } from '@seedream-kit/react/server';

/**
 * A series may use the whole group (15 images with the references); the form offers up to 14 references, uploaded
 * one by one and named by handle, so a generation's JSON body stays small. Budgets are the policy's defaults.
 */
export const PLAYGROUND_LIMITS = { maxImagesPerRequest: 15, maxReferenceImages: 14, maxPromptLength: 4000 };

/**
 * Where N instances meet (the Redis stores of @seedream-kit/redis); memory without.
 * @typedef {object} SharedStores
 * @property {import('@seedream-kit/core/server').JobStore} [jobs]
 * @property {import('@seedream-kit/core/server').BudgetStore} [budget]
 * @property {import('@seedream-kit/core/server').UploadStore} [uploads]
 */

/**
 * @param {{
 *   client: import('@seedream-kit/core').SeedreamClient,
 *   authorize: (request: Request) => string | false,
 *   budget?: import('@seedream-kit/core/server').SpendingPolicyOptions['budget'],
 *   stores?: SharedStores,
 *   imageDir: string,
 *   download?: import('@seedream-kit/core/node').FilePersistenceOptions['download'],
 *   jobs?: Partial<import('@seedream-kit/core/server').JobsOptions>,
 * }} options authorize names the caller (the session id) or refuses; images are kept in imageDir
 */
export function createKit({ client, authorize, budget, stores = {}, imageDir, download, jobs: jobOptions }) {
  const uploads = stores.uploads ?? new MemoryUploadStore();
  const budgets = budget === false ? false : { ...budget, ...(stores.budget ? { store: stores.budget } : {}) };
  const policy = createSpendingPolicy({ authorize, limits: PLAYGROUND_LIMITS, uploads, budget: budgets });
  const log = (/** @type {string} */ where) => (/** @type {unknown} */ error) =>
    console.error(`[playground] ${where}:`, error instanceof Error ? error.message : error);
  // Every image is stored before it is shown, and served under the route with the caller's session.
  const jobs = createJobs({
    client,
    ...(stores.jobs ? { store: stores.jobs } : {}),
    persist: createFilePersistence({ directory: imageDir, url: (id, index) => `/api/seedream/jobs/${id}/images/${index}`, ...(download ? { download } : {}) }),
    onError: log('job'),
    ...jobOptions,
  });
  const route = createSeedreamRoute({ client, policy, jobs, onError: log('route') });
  const yoga = createSeedreamYoga({
    client,
    policy,
    jobs,
    limits: { maxGenerationsPerOperation: 1, maxImagesPerOperation: PLAYGROUND_LIMITS.maxImagesPerRequest },
    yoga: { graphqlEndpoint: '/graphql', landingPage: false, graphiql: false, maskedErrors: true },
  });
  const upload = createUploadHandler({ policy, store: uploads });
  return { policy, jobs, route: toNodeHandler(route), graphql: yoga, upload: toNodeHandler(upload) };
}

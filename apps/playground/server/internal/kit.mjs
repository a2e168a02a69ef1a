// @ts-check
/**
 * The kit's two server adapters, bound to the playground's one core client: the route of @seedream-kit/react
 * (`/api/seedream`, what the hook's HTTP transport calls) and the schema of @seedream-kit/graphql served by
 * graphql-yoga (`/graphql`: the model list, and the hook's GraphQL transport). Both fail closed on `authorize`.
 */
import { createSeedreamYoga } from '@seedream-kit/graphql/yoga';
import { createSeedreamRoute, toNodeHandler } from '@seedream-kit/react/server';

/** A series may use the whole group (15 images with the references); the form offers up to 14 references. */
const LIMITS = { maxImages: 15, maxReferenceImages: 14, maxPromptLength: 4000 };
/** 14 references of up to 10 MB arrive as base64 data URIs (4/3 of the bytes); anything larger is refused unread. */
const BODY_BYTES = 200 * 1024 * 1024;

/**
 * @param {{ client: import('@seedream-kit/core').SeedreamClient, authorize: (headers: { get(name: string): string | null }) => boolean }} options
 */
export function createKit({ client, authorize }) {
  const route = createSeedreamRoute({
    client,
    authorize: (request) => authorize(request.headers),
    limits: { ...LIMITS, maxBodyBytes: BODY_BYTES },
    onError: (error) => console.error('[playground] route:', error instanceof Error ? error.message : error),
  });
  const yoga = createSeedreamYoga({
    client,
    // The model list is public; the paid fields need a page of this origin.
    authorize: ({ request }) => authorize(request.headers),
    limits: { maxGenerationsPerOperation: 1, maxImagesPerOperation: LIMITS.maxImages, maxPromptLength: LIMITS.maxPromptLength },
    yoga: { graphqlEndpoint: '/graphql', landingPage: false, graphiql: false, maskedErrors: true, maxRequestBodySize: BODY_BYTES },
  });
  return { route: toNodeHandler(route), graphql: yoga };
}

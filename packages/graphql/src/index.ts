/**
 * @seedream-kit/graphql: Seedream image generation as a GraphQL schema module (SDL + resolvers bound to a core
 * client). Runs on any graphql-js server; the yoga helper lives in `@seedream-kit/graphql/yoga`, the browser
 * transport in `@seedream-kit/graphql/transport`.
 */
export { typeDefs } from './type-defs.js';
export { createResolvers } from './resolvers.js';
export type {
  SeedreamResolverOptions,
  SeedreamResolvers,
  SeedreamClientLike,
  SeedreamOperation,
  ImageSource,
} from './resolvers.js';
export { createSeedreamSchema, attachResolvers } from './schema.js';
export { mocks } from './mocks.js';
export { seedreamValidationRules, createGenerationLimitRule, createQueryLimitsRule, PAID_FIELDS, DEFAULT_LIMITS } from './limits.js';
export type { SeedreamLimits, QueryLimits } from './limits.js';
export { toGraphQLError, seedreamError } from './errors.js';
export type { SeedreamErrorCode, FieldIssue } from './errors.js';
export { toGenerateParams, toInputPath } from './input.js';
export type { GenerateImagesInput } from './input.js';

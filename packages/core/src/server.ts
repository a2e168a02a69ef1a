/**
 * @seedream-kit/core/server: the spending policy (who may spend, on what, how much) and reference-image uploads,
 * framework-free and Fetch-standard. Server only: the adapters (@seedream-kit/react/server, @seedream-kit/graphql)
 * take a policy from here, so an app states its rules once.
 */
export { createSpendingPolicy, toSpendingPolicy, plannedImages, DEFAULT_POLICY_LIMITS, DEFAULT_BUDGET } from './internal/policy/policy.js';
export type {
  SpendingPolicy,
  SpendingPolicyOptions,
  PolicyLimits,
  PolicyOperation,
  BudgetOptions,
  Caller,
  AuthorizeVerdict,
  RateLimitVerdict,
  SpendingCall,
  Admission,
  AdmitInput,
} from './internal/policy/policy.js';
export { MemoryBudgetStore } from './internal/policy/budget.js';
export type { BudgetStore, BudgetTake, BudgetWindow } from './internal/policy/budget.js';
export { SpendingPolicyError, isSpendingPolicyError } from './internal/policy/errors.js';
export type { PolicyFieldError } from './internal/policy/errors.js';
export { createUploadHandler, MemoryUploadStore, isUploadHandle } from './internal/policy/uploads.js';
export type { UploadStore, StoredUpload, UploadHandlerOptions, MemoryUploadStoreOptions } from './internal/policy/uploads.js';
export { readJsonObject } from './internal/policy/body.js';
export { PARAMETERS, BROWSER_PARAMETERS, pickBrowserParams } from './internal/parameters.js';
export type { ParameterSpec, ParameterName, GraphQLCodec, GraphQLInputSpec, GraphQLEnumSpec } from './internal/parameters.js';
export { GRAPHQL_INPUT_FIELDS } from './internal/graphql-fields.js';
export { PARAMETER_DOCS } from './internal/parameter-docs.js';
export type { ParameterDoc, ParameterDocs, GraphQLEnumDoc, GraphQLParameterName } from './internal/parameter-docs.js';
export type { GraphQLInputField, GraphQLEnumValue } from './internal/graphql-fields.js';

// Durable jobs: a generation outlives its connection; resume, cancel, idempotency, persisted images.
export { createJobs, requestFingerprint } from './internal/jobs/jobs.js';
export type { JobsOptions, JobView, SeedreamJobs, StartJobInput } from './internal/jobs/jobs.js';
export { MemoryJobStore } from './internal/jobs/memory-store.js';
export type { MemoryJobStoreOptions } from './internal/jobs/memory-store.js';
export { isTerminal } from './internal/jobs/store.js';
export type { JobStore, JobRecord, JobEvent, JobEntry, JobState, CreateJobOptions, CreateJobResult } from './internal/jobs/store.js';
export { MemoryImageStorage, storedImageKey } from './internal/jobs/storage.js';
export type { ImageStorage, StoredImage, PersistOptions } from './internal/jobs/storage.js';
export { isJobId, isIdempotencyKey, newJobId } from './internal/jobs/ids.js';
// The shapes a server sends a browser (shared by the route and the GraphQL schema).
export { toWireError, wireError, scrub, toClientImage, toClientUsage } from './internal/wire.js';
export type { WireError } from './internal/wire.js';

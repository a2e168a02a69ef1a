/**
 * The Seedream schema module in SDL. GraphQL's own conventions (camelCase fields, UPPER_CASE enums); every
 * type and field is described so GraphiQL and codegen show the docs. `GenerateImagesInput` and its enums are
 * printed from core's parameter table (`GRAPHQL_INPUT_FIELDS`): a request field is declared there, once.
 */
import { GRAPHQL_INPUT_FIELDS } from '@seedream-kit/core/server';

/** A GraphQL string literal (JSON's escapes are GraphQL's). */
const quoted = (text: string) => JSON.stringify(text);
const block = (text: string) => `"""\n${text.replaceAll('"""', '\\"""')}\n"""`;

/** The enums of the input's fields, each once, in the order the input first uses them. */
function inputEnums(): string {
  const printed = new Set<string>();
  const out: string[] = [];
  for (const { enum: type } of GRAPHQL_INPUT_FIELDS) {
    if (!type || printed.has(type.name)) continue;
    printed.add(type.name);
    const values = type.values.map(({ name, description }) => `${description === undefined ? '' : `  ${quoted(description)}\n`}  ${name}`);
    out.push(`${block(type.description)}\nenum ${type.name} {\n${values.join('\n')}\n}\n`);
  }
  return out.join('\n');
}

const INPUT = `${block('Everything one generation accepts. Each field maps to one Seedream request parameter.')}
input GenerateImagesInput {
${GRAPHQL_INPUT_FIELDS.map(({ field, type, description }) => `  ${quoted(description)}\n  ${field}: ${type}`).join('\n')}
}
`;

export const typeDefs = /* GraphQL */ `
${inputEnums()}
${INPUT}
"""
Why one image of a group failed while the others succeeded.
"""
type SeedreamImageError {
  "The provider's code, e.g. \`OutputImageSensitiveContentDetected\`."
  code: String!
  "A short description (ours; the provider's text is not repeated)."
  message: String!
}

"""
One slot of a generation: an image, or the error that replaced it.
"""
type SeedreamImage {
  "Position in the group, from 0."
  index: Int!
  "Signed link to the image (null with B64_JSON or when the slot failed)."
  url: String
  "Base64 of the image; only computed when this field is selected and B64_JSON was asked for."
  b64Json: String
  "\`<W>x<H>\` as reported by the API."
  size: String
  "Width in pixels."
  width: Int
  "Height in pixels."
  height: Int
  "Encoding (from the API's report or the model's rule; null when unknown)."
  outputFormat: SeedreamOutputFormat
  "Set when this slot failed."
  error: SeedreamImageError
}

"""
What a generation cost.
"""
type SeedreamUsage {
  "Images generated (and billed); failed slots are not counted."
  generatedImages: Int!
  "Tokens billed for the output (width × height / 256 per image)."
  outputTokens: Int
  "All tokens billed."
  totalTokens: Int
  "Reference images read, when the API reports it."
  inputImages: Int
  "Web searches run, when the API reports it."
  webSearches: Int
}

"""
The result of \`generateImages\`.
"""
type GenerateImagesResult {
  "The generation's job: read it with \`generationJob\`, follow it with \`resumeGeneration\`."
  jobId: ID!
  "Every slot, in index order."
  images: [SeedreamImage!]!
  "What the generation cost."
  usage: SeedreamUsage
  "The model that answered."
  model: String!
  "Unix time (seconds) of the generation."
  created: Int!
  "The provider's request id (quote it to support)."
  requestId: String
}

"""
An event of the \`imageGeneration\` subscription.
"""
interface ImageGenerationEvent {
  "The generation's job (resume it with \`resumeGeneration\`, stop it with \`cancelGeneration\`)."
  jobId: ID!
  "The model that answers."
  model: String!
  "Unix time (seconds) of the generation."
  created: Int!
}

"""
The generation started as a job: always the first event of \`imageGeneration\` (not of \`resumeGeneration\`),
sent at once, so the job can be resumed or cancelled before its first image.
"""
type GenerationStarted implements ImageGenerationEvent {
  "The generation's job (resume it with \`resumeGeneration\`, stop it with \`cancelGeneration\`)."
  jobId: ID!
  "The model asked for."
  model: String!
  "Unix time (seconds) the job started, or was attached to."
  created: Int!
}

"""
One image is ready. Sent as soon as it is, before the next one is generated.
"""
type ImageGenerated implements ImageGenerationEvent {
  "The generation's job (resume it with \`resumeGeneration\`, stop it with \`cancelGeneration\`)."
  jobId: ID!
  "The model that answers."
  model: String!
  "Unix time (seconds) of the generation."
  created: Int!
  "The image, with its url (or b64Json) and size."
  image: SeedreamImage!
}

"""
One image of the group failed; the generation may go on.
"""
type ImageFailed implements ImageGenerationEvent {
  "The generation's job (resume it with \`resumeGeneration\`, stop it with \`cancelGeneration\`)."
  jobId: ID!
  "The model that answers."
  model: String!
  "Unix time (seconds) of the generation."
  created: Int!
  "The failed slot (\`image.error\` is set)."
  image: SeedreamImage!
}

"""
The generation finished; always the last event.
"""
type GenerationCompleted implements ImageGenerationEvent {
  "The generation's job (resume it with \`resumeGeneration\`, stop it with \`cancelGeneration\`)."
  jobId: ID!
  "The model that answers."
  model: String!
  "Unix time (seconds) of the generation."
  created: Int!
  "What the whole generation cost."
  usage: SeedreamUsage
  "The provider's request id."
  requestId: String
}

"""
Where a generation job is.
"""
enum GenerationJobState {
  "Generating; images may still come."
  RUNNING
  "Finished: \`result\` holds every slot and the usage."
  SUCCEEDED
  "Failed; \`error\` says why, \`images\` keeps those received before."
  FAILED
  "Stopped by \`cancelGeneration\` (the provider may still bill images it had started)."
  CANCELLED
  "The server running it stopped; \`images\` keeps those received before. Never resubmitted by itself."
  INTERRUPTED
}

"""
Why a job ended without a result, in the codes of this schema's errors.
"""
type GenerationJobError {
  "The \`extensions.code\` the same failure has as an error (\`UPSTREAM_ERROR\`, \`ABORTED\`, \`INTERRUPTED\` …)."
  code: String!
  "A short description (ours; the provider's text is not repeated)."
  message: String!
  "The provider's request id, when there was one."
  requestId: String
  "Seconds to wait before trying again (\`RATE_LIMITED\`)."
  retryAfter: Int
}

"""
A generation as a durable job: it runs to its end whoever listens, and only the caller that started it can
read, resume or cancel it.
"""
type GenerationJob {
  "The job's id (unguessable)."
  id: ID!
  "Where the job is."
  state: GenerationJobState!
  "The images received so far, in the order they arrived."
  images: [SeedreamImage!]!
  "Every slot, the usage and the provider's request id, once SUCCEEDED."
  result: GenerateImagesResult
  "Why it ended, once FAILED, CANCELLED or INTERRUPTED."
  error: GenerationJobError
}

"""
A Seedream model and what it accepts.
"""
type SeedreamModel {
  "Canonical id."
  id: String!
  "Display name."
  name: String!
  "Family, e.g. \`4.5\` or \`5.0-lite\`."
  family: String!
  "Other accepted spellings of the id."
  aliases: [String!]!
  "Most reference images (0: text-to-image only)."
  maxReferenceImages: Int!
  "Exactly one reference image is required (SeedEdit)."
  requiresReferenceImage: Boolean!
  "Size presets (\`2K\`, …); exact \`<W>x<H>\` sizes within the pixel range work too."
  sizePresets: [String!]!
  "The size used when none is given."
  defaultSize: String!
  "Fewest pixels (width × height) of an exact size."
  minPixels: Int!
  "Most pixels (width × height) of an exact size."
  maxPixels: Int!
  "Group generation (\`sequential\`) is supported."
  sequential: Boolean!
  "Images can stream one by one (the \`imageGeneration\` subscription streams on every model; others send all images at the end)."
  streaming: Boolean!
  "Selectable output formats; empty when the model always returns JPEG."
  outputFormats: [SeedreamOutputFormat!]!
  "Most images of one generation (references included)."
  maxImages: Int!
  "\`seed\` is documented for this model."
  supportsSeed: Boolean!
  "\`guidanceScale\` is documented for this model."
  supportsGuidance: Boolean!
  "Accepted prompt rewriting modes."
  optimizePromptModes: [SeedreamOptimizePromptMode!]!
  "\`webSearch\` is supported."
  supportsWebSearch: Boolean!
  "\`layerDecomposition\` is supported."
  supportsLayerDecomposition: Boolean!
  "\`background\` is supported."
  supportsBackground: Boolean!
}

type Query {
  "The Seedream models this server offers and their capabilities."
  seedreamModels: [SeedreamModel!]!
  "One of your generation jobs. An unknown id and another caller's job are both NOT_FOUND."
  generationJob(id: ID!): GenerationJob
}

type Mutation {
  """
  Generates images as a job and answers when all are ready (25–150 s upstream), with the job's id. A client that
  leaves does not stop the job: read it with \`generationJob\`. Paid: limited per operation.
  """
  generateImages(
    input: GenerateImagesInput!
    "Names this call: a retry with the same key (same caller) attaches to its job instead of paying again; the same key with a different input is refused (BAD_REQUEST)."
    idempotencyKey: String
  ): GenerateImagesResult!
  """
  Stops a generation job, named by its id or by the \`idempotencyKey\` of the call that started it (give one of
  the two). Images the provider already started may still be billed. Not paid.
  """
  cancelGeneration(
    "The job's id."
    jobId: ID
    "The idempotency key of the call that started it (when its id never arrived)."
    idempotencyKey: String
  ): GenerationJob
}

type Subscription {
  """
  Generates images as a job: \`GenerationStarted\` (the job's id) first, then each image as soon as it is ready (over
  SSE or WebSocket), then \`GenerationCompleted\`. Leaving does not stop the job. Paid: limited per operation.
  """
  imageGeneration(
    input: GenerateImagesInput!
    "Names this call: a retry with the same key (same caller) attaches to its job instead of paying again; the same key with a different input is refused (BAD_REQUEST)."
    idempotencyKey: String
  ): ImageGenerationEvent!
  """
  Re-attaches to one of your jobs: every event it produced, once and in order, then the rest as they come, then
  the end (\`GenerationCompleted\`, or an error result). Not paid.
  """
  resumeGeneration("The job's id." jobId: ID!): ImageGenerationEvent!
}
`;

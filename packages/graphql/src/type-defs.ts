/**
 * The Seedream schema module in SDL. GraphQL's own conventions (camelCase fields, UPPER_CASE enums); every
 * type and field is described so GraphiQL and codegen show the docs.
 */
export const typeDefs = /* GraphQL */ `
"""
How generated images are returned.
"""
enum SeedreamResponseFormat {
  "A signed link to the image, valid for 24 hours. Keep it byte-exact (do not re-escape it)."
  URL
  "The image bytes as base64 in \`b64Json\` (megabytes per image: ask for it only when you need it)."
  B64_JSON
}

"""
Encoding of generated images. Models whose \`outputFormats\` list is empty always return JPEG.
"""
enum SeedreamOutputFormat {
  PNG
  JPEG
}

"""
Prompt rewriting mode (\`optimize_prompt_options.mode\`).
"""
enum SeedreamOptimizePromptMode {
  "Higher quality rewriting."
  STANDARD
  "Quicker rewriting (only on the models that list it)."
  FAST
}

"""
Background of layer and cut-out output (Seedream 5.0 Pro and Flash).
"""
enum SeedreamBackground {
  TRANSPARENT
  OPAQUE
}

"""
Everything one generation accepts. Each field maps to one Seedream request parameter.
"""
input GenerateImagesInput {
  "What to draw. Required and not blank."
  prompt: String!
  "Model id in any spelling (Volcengine, BytePlus, CometAPI). Defaults to the server's model."
  model: String
  "Reference images: http(s) URLs or \`data:image/<fmt>;base64,\` URIs, or upload handles (\`upload:…\`) from the server's upload endpoint; up to the model's \`maxReferenceImages\` and the server's policy."
  images: [String!]
  "A preset of the model (\`2K\`, \`4K\`, …) or an exact size \`<W>x<H>\`."
  size: String
  "Group generation (\`sequential_image_generation: auto\`): the model decides how many images the prompt asks for."
  sequential: Boolean
  "Most images of a group (1–15, capped by the server's per-operation image limit)."
  maxImages: Int
  "Seed for reproducible output (documented for Seedream 3.0 and SeedEdit)."
  seed: Int
  "How closely to follow the prompt, 1–10 (documented for Seedream 3.0 and SeedEdit)."
  guidanceScale: Float
  "Stamp the 'AI generated' mark. The API's default is true."
  watermark: Boolean
  "URL (default) or B64_JSON."
  responseFormat: SeedreamResponseFormat
  "PNG or JPEG, on models that honour it (see \`SeedreamModel.outputFormats\`)."
  outputFormat: SeedreamOutputFormat
  "Prompt rewriting mode."
  optimizePromptMode: SeedreamOptimizePromptMode
  "Let the model search the web for current facts (Seedream 5.0 Lite)."
  webSearch: Boolean
  "Split one reference image into layers (Seedream 5.0 Pro and Flash)."
  layerDecomposition: Boolean
  "Background of the output (Seedream 5.0 Pro and Flash)."
  background: SeedreamBackground
}

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
  "The model that answers."
  model: String!
  "Unix time (seconds) of the generation."
  created: Int!
}

"""
One image is ready. Sent as soon as it is, before the next one is generated.
"""
type ImageGenerated implements ImageGenerationEvent {
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
}

type Mutation {
  """
  Generates images and answers when all are ready (25–150 s upstream). Paid: limited per operation.
  """
  generateImages(input: GenerateImagesInput!): GenerateImagesResult!
}

type Subscription {
  """
  Generates images and sends each one as soon as it is ready (over SSE or WebSocket), then \`GenerationCompleted\`.
  Paid: limited per operation.
  """
  imageGeneration(input: GenerateImagesInput!): ImageGenerationEvent!
}
`;

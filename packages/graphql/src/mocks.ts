/**
 * Mocks of the schema's types, for `@graphql-tools/mock` (`addMocksToSchema({ schema, mocks })`), Apollo
 * Server's `mocks` option, or any UI work without a key. Deterministic and free: no request is made.
 */
let counter = 0;
const MOCK_IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export const mocks = {
  SeedreamImage: () => ({
    index: counter++ % 4,
    url: MOCK_IMAGE,
    b64Json: null,
    size: '2048x2048',
    width: 2048,
    height: 2048,
    outputFormat: 'JPEG',
    error: null,
  }),
  SeedreamUsage: () => ({ generatedImages: 1, outputTokens: 16384, totalTokens: 16384, inputImages: null, webSearches: null }),
  GenerateImagesResult: () => ({ model: 'doubao-seedream-4-5-251128', created: 1_764_000_000, requestId: 'mock-request-id' }),
  SeedreamModel: () => ({
    id: 'doubao-seedream-4-5-251128',
    name: 'Seedream 4.5',
    family: '4.5',
    aliases: [],
    maxReferenceImages: 14,
    requiresReferenceImage: false,
    sizePresets: ['2K', '4K'],
    defaultSize: '2048x2048',
    minPixels: 3_686_400,
    maxPixels: 16_777_216,
    sequential: true,
    streaming: true,
    outputFormats: [],
    maxImages: 15,
    supportsSeed: false,
    supportsGuidance: false,
    optimizePromptModes: ['STANDARD'],
    supportsWebSearch: false,
    supportsLayerDecomposition: false,
    supportsBackground: false,
  }),
};

/**
 * Where missing images come from: the API through @seedream-kit/core (with a key), or the same core client
 * against an emulator started in this process (without one), so a build without a key still works and
 * exercises the same code. Core and the emulator are loaded on the first miss only.
 */
import type { GenerateParams, SeedreamOptions, ValidationIssue } from '@seedream-kit/core';
import type { Emulator } from '@seedream-kit/emulator';
import { redactError } from '../internal/redact.js';
import type { EntrySource } from '../cache/manifest.js';
import type { ImageRequest } from './request.js';

export interface Backend {
  readonly source: EntrySource;
  /** One image's bytes. */
  generate(request: ImageRequest, signal: AbortSignal): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface ApiBackendOptions {
  /** `undefined` is not allowed here: the caller decided between a key, `null` and the local emulator. */
  apiKey: string | null;
  baseURL: string | undefined;
  timeout: number | undefined;
  client: Omit<SeedreamOptions, 'apiKey' | 'baseURL'> | undefined;
  onWarning: (label: string, issues: ValidationIssue[]) => void;
}

/** A key the in-process emulator accepts; not a secret. */
const LOCAL_EMULATOR_KEY = 'seedream-vite-local-emulator';

export function createApiBackend(options: ApiBackendOptions): Backend {
  return coreBackend(
    'api',
    async () => ({ apiKey: options.apiKey, baseURL: options.baseURL }),
    options,
    async () => undefined,
  );
}

/** Starts the emulator on 127.0.0.1 at the first generation; `close()` stops it (a later miss restarts it). */
export function createLocalEmulatorBackend(options: Omit<ApiBackendOptions, 'apiKey' | 'baseURL'>): Backend {
  let emulator: Promise<Emulator> | undefined;
  const start = () => (emulator ??= import('@seedream-kit/emulator').then(({ startEmulator }) => startEmulator({ host: '127.0.0.1', port: 0 })));
  return coreBackend(
    'emulator',
    async () => ({ apiKey: LOCAL_EMULATOR_KEY, baseURL: (await start()).baseURL }),
    { ...options, apiKey: LOCAL_EMULATOR_KEY, baseURL: undefined },
    async () => {
      const running = emulator;
      emulator = undefined;
      if (running) await (await running).close();
    },
  );
}

function coreBackend(
  source: EntrySource,
  endpoint: () => Promise<{ apiKey: string | null; baseURL: string | undefined }>,
  options: ApiBackendOptions,
  close: () => Promise<void>,
): Backend {
  // The client is made on first use (the local emulator's URL is known only once it runs) and forgotten on
  // close, so a later generation (the next environment of a multi-environment build) starts afresh.
  let client: Promise<import('@seedream-kit/core').SeedreamClient> | undefined;
  let warningsFor = '';
  const getClient = () =>
    (client ??= Promise.all([import('@seedream-kit/core'), endpoint()]).then(([core, { apiKey, baseURL }]) =>
      core.createSeedream({
        ...options.client,
        apiKey,
        ...(baseURL === undefined ? {} : { baseURL }),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
        onWarning: (issues) => options.onWarning(warningsFor, issues),
      }),
    ));
  return {
    source,
    async generate(request, signal) {
      const seedream = await getClient();
      const { canonical } = request;
      const params: GenerateParams = {
        model: canonical.model,
        prompt: canonical.prompt,
        watermark: canonical.watermark,
        // b64_json: the bytes come in the answer, so there is no temporary URL to download (or to leak).
        response_format: 'b64_json',
        sequential_image_generation: 'disabled',
      };
      if (canonical.size !== null) params.size = canonical.size;
      if (canonical.seed !== null) params.seed = canonical.seed;
      if (canonical.output_format !== null) params.output_format = canonical.output_format;
      if (canonical.guidance_scale !== null) params.guidance_scale = canonical.guidance_scale;
      if (request.references.length > 0) {
        const images = request.references.map((reference) => ('url' in reference ? reference.url : reference.bytes));
        params.image = images.length === 1 ? images[0] : images;
      }
      try {
        warningsFor = request.label;
        const result = await seedream.generate({ ...params, stream: false }, { signal });
        const image = result.images[0];
        if (!image) throw new Error('the API answered without an image');
        if (image.error) throw new Error(`the API refused the image: ${image.error.code}: ${image.error.message}`);
        if (image.bytes) return image.bytes;
        if (!image.url) throw new Error('the API answered without image data');
        // A gateway that ignored response_format: fetch the signed URL with core's guarded downloader.
        const { downloadImage } = await import('@seedream-kit/core/node');
        return await downloadImage(image.url, { signal });
      } catch (error) {
        throw redactError(error, options.apiKey);
      }
    },
    async close() {
      client = undefined;
      await close();
    },
  };
}

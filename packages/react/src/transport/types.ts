/**
 * The browser-side transport contract. @seedream-kit/graphql implements the same shapes structurally, so keep
 * them in step with docs in both packages.
 */
import type { GenerateParams } from '@seedream-kit/core';

/** A reference image: an http(s) URL or data: URI, or a Blob/File (from `<input type=file>` or drag and drop). */
export type ClientImageInput = string | Blob;

/** The known fields of a type without its index signature (a plain `Omit` would keep only the signature). */
type KnownFields<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** Core's request params with the wire's names; reference images may also be Files. */
export type ClientGenerateParams = Omit<KnownFields<GenerateParams>, 'image' | 'stream'> & {
  image?: ClientImageInput | ClientImageInput[];
  /** Receive the images of a sequential generation one by one. */
  stream?: boolean;
  /** Other fields pass through (the route decides what it forwards). */
  [extra: string]: unknown;
};

/** One slot of a generation. */
export interface ClientImage {
  index: number;
  /** The result URL, or a data: URI built from `b64_json`. */
  url?: string;
  /** Only when `response_format: 'b64_json'` was asked for. */
  b64_json?: string;
  size?: string;
  width?: number;
  height?: number;
  /** A failed slot of a group (e.g. refused by moderation); the other slots are still good. */
  error?: { code: string; message: string };
}

export interface ClientUsage {
  generated_images: number;
  output_tokens?: number;
  total_tokens?: number;
}

export interface ClientResult {
  images: ClientImage[];
  usage?: ClientUsage;
  model: string;
  created: number;
}

export type ClientEvent = { type: 'image'; image: ClientImage };

export interface TransportContext {
  signal: AbortSignal;
  onEvent?: (event: ClientEvent) => void;
}

export interface SeedreamTransport {
  /** Resolves to the whole result; throws a SeedreamClientError. Streams call `onEvent` once per image. */
  generate(params: ClientGenerateParams, ctx: TransportContext): Promise<ClientResult>;
}

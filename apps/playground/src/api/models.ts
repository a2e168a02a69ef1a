/** The model catalogue, read from `Query.seedreamModels` of @seedream-kit/graphql, normalised for the form. */
import { useEffect, useState } from 'react';
import { graphqlRequest } from './graphql.ts';

export interface ModelInfo {
  id: string;
  label: string;
  sizePresets: string[];
  defaultSize?: string;
  /** Inclusive bounds of width × height for an exact size, when the API says. */
  pixels?: { min: number; max: number };
  maxReferenceImages: number;
  sequential: boolean;
  /** Most images one sequential run can return. */
  maxImages: number;
  streaming: boolean;
  /** Output formats the model honours; empty when it always returns JPEG. */
  outputFormats: Array<'png' | 'jpeg'>;
  seed: boolean;
  guidance: boolean;
}

export const MODELS_QUERY = /* GraphQL */ `
  query PlaygroundModels {
    seedreamModels {
      id
      name
      maxReferenceImages
      sizePresets
      sequential
      streaming
      outputFormats
      minPixels
      maxPixels
      defaultSize
      maxImages
      supportsSeed
      supportsGuidance
    }
  }
`;

interface RawModel {
  id: string;
  name?: string | null;
  maxReferenceImages?: number;
  sizePresets?: string[];
  sequential?: boolean;
  streaming?: boolean;
  outputFormats?: string[];
  minPixels?: number;
  maxPixels?: number;
  defaultSize?: string | null;
  maxImages?: number;
  supportsSeed?: boolean;
  supportsGuidance?: boolean;
}

export function normaliseModel(raw: RawModel): ModelInfo {
  return {
    id: raw.id,
    label: raw.name ?? raw.id,
    sizePresets: raw.sizePresets ?? [],
    pixels: raw.minPixels && raw.maxPixels ? { min: raw.minPixels, max: raw.maxPixels } : undefined,
    maxReferenceImages: raw.maxReferenceImages ?? 0,
    sequential: raw.sequential ?? false,
    defaultSize: raw.defaultSize ?? undefined,
    maxImages: raw.maxImages ?? 15,
    streaming: raw.streaming ?? false,
    outputFormats: (raw.outputFormats ?? []).map((f) => f.toLowerCase()) as Array<'png' | 'jpeg'>,
    seed: raw.supportsSeed ?? false,
    guidance: raw.supportsGuidance ?? false,
  };
}

export type ModelsState = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; models: ModelInfo[] };

export function useModels(): ModelsState {
  const [state, setState] = useState<ModelsState>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    graphqlRequest<{ seedreamModels: RawModel[] }>(MODELS_QUERY, undefined, controller.signal)
      .then((data) => setState({ status: 'ready', models: data.seedreamModels.map(normaliseModel) }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => controller.abort();
  }, []);
  return state;
}

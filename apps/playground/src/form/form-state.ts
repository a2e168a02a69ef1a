/** The form's state, and how it becomes the hook's request params. No validation of ranges here: the kit does it. */
import type { ModelInfo } from '../api/models.ts';

export interface ReferenceImage {
  id: string;
  file: File;
  /** Object URL for the thumbnail; revoked when the reference is removed. */
  previewUrl: string;
}

export interface FormState {
  prompt: string;
  modelId: string;
  sizeMode: 'preset' | 'exact';
  preset: string;
  width: string;
  height: string;
  references: ReferenceImage[];
  sequential: boolean;
  maxImages: number;
  responseFormat: 'url' | 'b64_json';
  outputFormat: 'png' | 'jpeg';
  watermark: boolean;
  seed: string;
  guidance: string;
}

export const EXAMPLE_PROMPT = 'A series of 4 images: a paper boat sailing through a quiet watercolor city at dawn, soft pastel light';

/** The model the form starts with: the first that streams a series, so the gallery shows what the kit does. */
export function defaultModel(models: ModelInfo[]): ModelInfo | undefined {
  return models.find((model) => model.sequential && model.streaming) ?? models[0];
}

export function initialFormState(model: ModelInfo | undefined): FormState {
  return {
    prompt: EXAMPLE_PROMPT,
    modelId: model?.id ?? '',
    sizeMode: 'preset',
    preset: model?.sizePresets[0] ?? '2K',
    width: '2048',
    height: '2048',
    references: [],
    sequential: false,
    maxImages: 4,
    responseFormat: 'url',
    outputFormat: 'jpeg',
    watermark: false,
    seed: '',
    guidance: '',
  };
}

/** Keeps the form consistent with what a newly picked model supports. */
export function adaptToModel(form: FormState, model: ModelInfo): FormState {
  const preset = model.sizePresets.includes(form.preset) ? form.preset : (model.sizePresets[0] ?? '');
  return {
    ...form,
    modelId: model.id,
    preset,
    sizeMode: model.sizePresets.length === 0 ? 'exact' : form.sizeMode,
    references: form.references.slice(0, model.maxReferenceImages),
    sequential: model.sequential && form.sequential,
    outputFormat: model.outputFormats.includes(form.outputFormat) ? form.outputFormat : (model.outputFormats[0] ?? 'jpeg'),
  };
}

/** The most images a sequential run may ask for: 15 in all, reference images included. */
export function maxImagesLimit(form: FormState, model: ModelInfo): number {
  return Math.max(1, Math.min(model.maxImages, 15 - form.references.length));
}

export type FieldName = 'prompt' | 'model' | 'size' | 'references' | 'maxImages' | 'responseFormat' | 'outputFormat' | 'seed' | 'guidance';

/** Maps a validation path from the kit (`size`, `image[2]`, `sequential_image_generation_options.max_images`) to a field. */
export function fieldForPath(path: string): FieldName | undefined {
  const head =
    path
      .replace(/\[\d+\]$/, '')
      .split('.')
      .pop() ?? path;
  const byParam: Record<string, FieldName> = {
    prompt: 'prompt',
    model: 'model',
    size: 'size',
    image: 'references',
    images: 'references',
    max_images: 'maxImages',
    sequential_image_generation: 'maxImages',
    response_format: 'responseFormat',
    responseFormat: 'responseFormat',
    output_format: 'outputFormat',
    outputFormat: 'outputFormat',
    seed: 'seed',
    guidance_scale: 'guidance',
    guidanceScale: 'guidance',
    maxImages: 'maxImages',
  };
  return byParam[head] ?? byParam[path];
}

/** Request params in core's names. Only what the chosen model supports is sent. */
export function toParams(form: FormState, model: ModelInfo) {
  const size = form.sizeMode === 'preset' ? form.preset : `${form.width.trim()}x${form.height.trim()}`;
  const params: Record<string, unknown> & { prompt: string } = {
    model: model.id,
    prompt: form.prompt,
    size,
    response_format: form.responseFormat,
    watermark: form.watermark,
  };
  if (form.references.length > 0) params.image = form.references.map((reference) => reference.file);
  if (model.sequential) {
    params.sequential_image_generation = form.sequential ? 'auto' : 'disabled';
    if (form.sequential) params.sequential_image_generation_options = { max_images: form.maxImages };
  }
  if (model.streaming) params.stream = true;
  if (model.outputFormats.length > 0) params.output_format = form.outputFormat;
  if (model.seed && form.seed.trim() !== '') params.seed = Number(form.seed);
  if (model.guidance && form.guidance.trim() !== '') params.guidance_scale = Number(form.guidance);
  return params;
}

import { useSeedream } from '@seedream-kit/react';
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { ModelInfo } from './api/models.ts';
import { ModelPicker } from './form/ModelPicker.tsx';
import { OutputOptions } from './form/OutputOptions.tsx';
import { PromptField } from './form/PromptField.tsx';
import { ReferenceImages } from './form/ReferenceImages.tsx';
import { SequentialField } from './form/SequentialField.tsx';
import { SizeField } from './form/SizeField.tsx';
import {
  adaptToModel,
  defaultModel,
  type FieldName,
  type FormState,
  initialFormState,
  maxImagesLimit,
  type ReferenceImage,
  toParams,
} from './form/form-state.ts';
import { describeError } from './results/describe-error.ts';
import { type Phase, Results } from './results/Results.tsx';

let nextReferenceId = 1;

/** The form and the gallery, wired to `useSeedream`. */
export function Playground({ models, empty }: { models: ModelInfo[]; empty: ReactNode }) {
  const [form, setForm] = useState<FormState>(() => initialFormState(defaultModel(models)));
  const [stopped, setStopped] = useState(false);
  const [timing, setTiming] = useState<{ start: number; end?: number }>();
  const formRef = useRef<HTMLFormElement>(null);
  const model = models.find((candidate) => candidate.id === form.modelId) ?? models[0]!;
  // A reload during a series re-attaches to its job (kept in sessionStorage): the gallery resumes, nothing is paid twice.
  const seedream = useSeedream({
    resumeOnReload: true,
    onSettled: () => setTiming((current) => (current ? { ...current, end: performance.now() } : current)),
  });

  const busy = seedream.status === 'pending' || seedream.status === 'streaming';
  const errorDescription = useMemo(() => (seedream.error && !stopped ? describeError(seedream.error) : undefined), [seedream.error, stopped]);
  const fieldErrors: Partial<Record<FieldName, string>> = errorDescription?.fields ?? {};
  const phase: Phase = stopped && !busy ? 'stopped' : seedream.status;

  // Move focus to the first field the kit complained about.
  useEffect(() => {
    if (errorDescription?.kind !== 'validation') return;
    const first = Object.keys(errorDescription.fields)[0];
    if (!first) return;
    formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"] :is(input, textarea, select):not([disabled])`)?.focus();
  }, [errorDescription]);

  // Object URLs of thumbnails live as long as the page holds the reference.
  const references = useRef(form.references);
  references.current = form.references;
  useEffect(
    () => () => {
      for (const reference of references.current) URL.revokeObjectURL(reference.previewUrl);
    },
    [],
  );

  function patch(update: Partial<FormState>) {
    setForm((current) => ({ ...current, ...update }));
  }

  function addReferences(files: File[]): string | undefined {
    const images = files.filter((file) => file.type.startsWith('image/'));
    const room = model.maxReferenceImages - form.references.length;
    const accepted = images.slice(0, Math.max(0, room));
    const added: ReferenceImage[] = accepted.map((file) => ({ id: `ref-${nextReferenceId++}`, file, previewUrl: URL.createObjectURL(file) }));
    setForm((current) => ({ ...current, references: [...current.references, ...added] }));
    const notes: string[] = [];
    if (images.length < files.length) notes.push(`${files.length - images.length} file(s) skipped: not images.`);
    if (accepted.length < images.length) notes.push(`Only ${model.maxReferenceImages} references fit; ${images.length - accepted.length} left out.`);
    return notes.length > 0 ? notes.join(' ') : undefined;
  }

  function removeReference(id: string) {
    setForm((current) => {
      const removed = current.references.find((reference) => reference.id === id);
      if (removed) URL.revokeObjectURL(removed.previewUrl);
      return { ...current, references: current.references.filter((reference) => reference.id !== id) };
    });
  }

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (busy) return;
    setStopped(false);
    setTiming({ start: performance.now() });
    seedream.generate(toParams(form, model) as Parameters<typeof seedream.generate>[0]);
  }

  function stop() {
    setStopped(true);
    seedream.abort();
  }

  const elapsed = timing?.end !== undefined ? timing.end - timing.start : undefined;
  return (
    <div className="workspace">
      <form ref={formRef} className="panel form" aria-labelledby="form-title" onSubmit={submit} noValidate>
        <h2 id="form-title" className="panel-title">
          Create
        </h2>
        <PromptField value={form.prompt} error={fieldErrors.prompt} onChange={(prompt) => patch({ prompt })} onSubmitShortcut={() => submit()} />
        <ModelPicker
          models={models}
          value={model.id}
          error={fieldErrors.model}
          onChange={(id) => {
            const next = models.find((candidate) => candidate.id === id);
            if (next) setForm((current) => adaptToModel(current, next));
          }}
        />
        <SizeField form={form} model={model} error={fieldErrors.size} onChange={patch} />
        {model.maxReferenceImages > 0 && (
          <ReferenceImages
            references={form.references}
            max={model.maxReferenceImages}
            error={fieldErrors.references}
            onAdd={addReferences}
            onRemove={removeReference}
          />
        )}
        {model.sequential && (
          <SequentialField
            enabled={form.sequential}
            maxImages={form.maxImages}
            limit={maxImagesLimit(form, model)}
            error={fieldErrors.maxImages}
            onChange={patch}
          />
        )}
        <OutputOptions form={form} model={model} errors={fieldErrors} onChange={patch} />
        <div className="actions">
          {/* aria-disabled rather than disabled: a focused button that becomes disabled drops keyboard focus. */}
          <button type="submit" className="button button-primary" aria-disabled={busy}>
            {busy ? 'Generating…' : 'Generate'}
          </button>
          <button type="button" className="button button-secondary" onClick={() => busy && stop()} aria-disabled={!busy}>
            Stop
          </button>
        </div>
      </form>
      <Results
        phase={phase}
        images={seedream.images}
        prompt={seedream.variables?.prompt}
        usage={seedream.usage}
        error={errorDescription}
        elapsedMs={elapsed}
        empty={empty}
      />
    </div>
  );
}

import { describedBy, FieldError, FieldHint } from './Field.tsx';

interface Props {
  enabled: boolean;
  maxImages: number;
  limit: number;
  error: string | undefined;
  onChange(patch: { sequential?: boolean; maxImages?: number }): void;
}

/** Sequential ("group") output: the model returns a series, at most `max_images`, streamed one by one. */
export function SequentialField({ enabled, maxImages, limit, error, onChange }: Props) {
  return (
    <fieldset className="field" data-field="maxImages">
      <legend className="visually-hidden">Series</legend>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          aria-checked={enabled}
          id="sequential"
          checked={enabled}
          onChange={(event) => onChange({ sequential: event.target.checked })}
        />
        <span className="switch-track" aria-hidden="true" />
        <span className="switch-text">Generate a series</span>
      </label>
      {enabled && (
        <div className="inline-row">
          <label className="inline-field" htmlFor="max-images">
            <span>Up to</span>
          </label>
          <input
            id="max-images"
            type="number"
            min={1}
            max={limit}
            value={Number.isFinite(maxImages) ? maxImages : ''}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy('max-images', true, error)}
            onChange={(event) => onChange({ maxImages: event.target.valueAsNumber })}
          />
          <span className="inline-suffix">images</span>
        </div>
      )}
      {enabled && <FieldHint id="max-images">{`The prompt decides how many (1 to ${limit}); they arrive one by one.`}</FieldHint>}
      <FieldError id="max-images" message={error} />
    </fieldset>
  );
}

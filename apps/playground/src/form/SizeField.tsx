import type { ModelInfo } from '../api/models.ts';
import { describedBy, FieldError, FieldHint } from './Field.tsx';
import type { FormState } from './form-state.ts';

interface Props {
  form: FormState;
  model: ModelInfo;
  error: string | undefined;
  onChange(patch: Partial<FormState>): void;
}

const formatter = new Intl.NumberFormat('en');

/** A preset chosen by the model from the prompt's wording, or an exact width × height. */
export function SizeField({ form, model, error, onChange }: Props) {
  const hasPresets = model.sizePresets.length > 0;
  const hint = model.pixels
    ? `Exact sizes need ${formatter.format(model.pixels.min)} to ${formatter.format(model.pixels.max)} pixels in all, ratio up to 16:1.`
    : 'Width × height in pixels.';
  const describe = describedBy('size', form.sizeMode === 'exact', error);
  return (
    <fieldset className="field" data-field="size">
      <legend className="field-label">Size</legend>
      {hasPresets && (
        <div className="segmented" role="radiogroup" aria-label="Size mode">
          <label>
            <input type="radio" name="size-mode" value="preset" checked={form.sizeMode === 'preset'} onChange={() => onChange({ sizeMode: 'preset' })} />
            <span>Preset</span>
          </label>
          <label>
            <input type="radio" name="size-mode" value="exact" checked={form.sizeMode === 'exact'} onChange={() => onChange({ sizeMode: 'exact' })} />
            <span>Exact size</span>
          </label>
        </div>
      )}
      {form.sizeMode === 'preset' && hasPresets ? (
        <div className="chips" role="radiogroup" aria-label="Size preset" aria-describedby={describe}>
          {model.sizePresets.map((preset) => (
            <label key={preset} className="chip">
              <input type="radio" name="size-preset" value={preset} checked={form.preset === preset} onChange={() => onChange({ preset })} />
              <span>{preset}</span>
            </label>
          ))}
        </div>
      ) : (
        <>
          <div className="size-inputs">
            <label className="inline-field">
              <span>Width</span>
              <input
                id="size"
                name="width"
                type="text"
                inputMode="numeric"
                autoComplete="off"
                value={form.width}
                aria-invalid={error ? true : undefined}
                aria-describedby={describe}
                onChange={(event) => onChange({ width: event.target.value })}
              />
            </label>
            <span className="times" aria-hidden="true">
              ×
            </span>
            <label className="inline-field">
              <span>Height</span>
              <input
                name="height"
                type="text"
                inputMode="numeric"
                autoComplete="off"
                value={form.height}
                aria-invalid={error ? true : undefined}
                aria-describedby={describe}
                onChange={(event) => onChange({ height: event.target.value })}
              />
            </label>
          </div>
          <FieldHint id="size">{hint}</FieldHint>
        </>
      )}
      <FieldError id="size" message={error} />
    </fieldset>
  );
}

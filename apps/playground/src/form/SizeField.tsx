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
            <DimensionInput
              id="size"
              label="Width"
              value={form.width}
              invalid={Boolean(error)}
              describedBy={describe}
              onChange={(width) => onChange({ width })}
            />
            <span className="times" aria-hidden="true">
              ×
            </span>
            <DimensionInput label="Height" value={form.height} invalid={Boolean(error)} describedBy={describe} onChange={(height) => onChange({ height })} />
          </div>
          <FieldHint id="size">{hint}</FieldHint>
        </>
      )}
      <FieldError id="size" message={error} />
    </fieldset>
  );
}

/** One side of an exact size; both sides share the size field's hint and error. */
function DimensionInput(props: {
  id?: string;
  label: 'Width' | 'Height';
  value: string;
  invalid: boolean;
  describedBy: string | undefined;
  onChange(value: string): void;
}) {
  return (
    <label className="inline-field">
      <span>{props.label}</span>
      <input
        id={props.id}
        name={props.label.toLowerCase()}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        value={props.value}
        aria-invalid={props.invalid ? true : undefined}
        aria-describedby={props.describedBy}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </label>
  );
}

import type { ModelInfo } from '../api/models.ts';
import { describedBy, FieldError } from './Field.tsx';
import type { FieldName, FormState } from './form-state.ts';

interface Props {
  form: FormState;
  model: ModelInfo;
  errors: Partial<Record<FieldName, string>>;
  onChange(patch: Partial<FormState>): void;
}

function Segmented<T extends string>(props: { name: string; label: string; value: T; options: Array<{ value: T; label: string }>; onChange(value: T): void }) {
  return (
    <div className="segmented" role="radiogroup" aria-label={props.label}>
      {props.options.map((option) => (
        <label key={option.value}>
          <input type="radio" name={props.name} value={option.value} checked={props.value === option.value} onChange={() => props.onChange(option.value)} />
          <span>{option.label}</span>
        </label>
      ))}
    </div>
  );
}

/** Delivery, file format, watermark, and the seed/guidance knobs of the models that take them. */
export function OutputOptions({ form, model, errors, onChange }: Props) {
  return (
    <div className="options-grid">
      <fieldset className="field" data-field="responseFormat">
        <legend className="field-label">Delivery</legend>
        <Segmented
          name="response-format"
          label="Delivery"
          value={form.responseFormat}
          options={[
            { value: 'url', label: 'URL' },
            { value: 'b64_json', label: 'Base64' },
          ]}
          onChange={(responseFormat) => onChange({ responseFormat })}
        />
        <FieldError id="response-format" message={errors.responseFormat} />
      </fieldset>
      {model.outputFormats.length > 1 && (
        <fieldset className="field" data-field="outputFormat">
          <legend className="field-label">Format</legend>
          <Segmented
            name="output-format"
            label="Format"
            value={form.outputFormat}
            options={model.outputFormats.map((format) => ({ value: format, label: format.toUpperCase() }))}
            onChange={(outputFormat) => onChange({ outputFormat })}
          />
          <FieldError id="output-format" message={errors.outputFormat} />
        </fieldset>
      )}
      <div className="field field-wide">
        <label className="switch">
          <input type="checkbox" role="switch" id="watermark" checked={form.watermark} onChange={(event) => onChange({ watermark: event.target.checked })} />
          <span className="switch-track" aria-hidden="true" />
          <span className="switch-text">“AI generated” watermark</span>
        </label>
      </div>
      {model.seed && (
        <div className="field" data-field="seed">
          <label className="field-label" htmlFor="seed">
            Seed
          </label>
          <input
            id="seed"
            type="number"
            min={-1}
            max={2147483647}
            step={1}
            placeholder="random"
            value={form.seed}
            aria-invalid={errors.seed ? true : undefined}
            aria-describedby={describedBy('seed', false, errors.seed)}
            onChange={(event) => onChange({ seed: event.target.value })}
          />
          <FieldError id="seed" message={errors.seed} />
        </div>
      )}
      {model.guidance && (
        <div className="field" data-field="guidance">
          <label className="field-label" htmlFor="guidance">
            Guidance
          </label>
          <input
            id="guidance"
            type="number"
            min={1}
            max={10}
            step={0.5}
            placeholder="default"
            value={form.guidance}
            aria-invalid={errors.guidance ? true : undefined}
            aria-describedby={describedBy('guidance', false, errors.guidance)}
            onChange={(event) => onChange({ guidance: event.target.value })}
          />
          <FieldError id="guidance" message={errors.guidance} />
        </div>
      )}
    </div>
  );
}

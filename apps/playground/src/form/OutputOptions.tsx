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
          <input
            type="checkbox"
            role="switch"
            aria-checked={form.watermark}
            id="watermark"
            checked={form.watermark}
            onChange={(event) => onChange({ watermark: event.target.checked })}
          />
          <span className="switch-track" aria-hidden="true" />
          <span className="switch-text">“AI generated” watermark</span>
        </label>
      </div>
      {model.seed && (
        <NumberField
          id="seed"
          label="Seed"
          min={-1}
          max={2147483647}
          step={1}
          placeholder="random"
          value={form.seed}
          error={errors.seed}
          onChange={(seed) => onChange({ seed })}
        />
      )}
      {model.guidance && (
        <NumberField
          id="guidance"
          label="Guidance"
          min={1}
          max={10}
          step={0.5}
          placeholder="default"
          value={form.guidance}
          error={errors.guidance}
          onChange={(guidance) => onChange({ guidance })}
        />
      )}
    </div>
  );
}

/** A labelled number input whose error is read with it; the value stays a string so the form can show what was typed. */
function NumberField(props: {
  id: 'seed' | 'guidance';
  label: string;
  min: number;
  max: number;
  step: number;
  placeholder: string;
  value: string;
  error: string | undefined;
  onChange(value: string): void;
}) {
  const { id, error } = props;
  return (
    <div className="field" data-field={id}>
      <label className="field-label" htmlFor={id}>
        {props.label}
      </label>
      <input
        id={id}
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        placeholder={props.placeholder}
        value={props.value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, false, error)}
        onChange={(event) => props.onChange(event.target.value)}
      />
      <FieldError id={id} message={error} />
    </div>
  );
}

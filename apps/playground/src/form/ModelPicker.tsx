import type { ModelInfo } from '../api/models.ts';
import { describedBy, FieldError, FieldHint } from './Field.tsx';

interface Props {
  models: ModelInfo[];
  value: string;
  error: string | undefined;
  onChange(id: string): void;
}

/** One line saying what the chosen model can do, so hidden fields are not a surprise. */
export function capabilitySummary(model: ModelInfo): string {
  const parts = [
    model.maxReferenceImages > 0 ? `up to ${model.maxReferenceImages} references` : 'no references',
    model.sequential ? `series of up to ${model.maxImages}` : 'one image per run',
    model.streaming ? 'streams' : 'no streaming',
    model.outputFormats.length > 0 ? model.outputFormats.join('/').toUpperCase() : 'JPEG only',
  ];
  return parts.join(' · ');
}

export function ModelPicker({ models, value, error, onChange }: Props) {
  const model = models.find((candidate) => candidate.id === value);
  return (
    <div className="field" data-field="model">
      <label className="field-label" htmlFor="model">
        Model
      </label>
      <div className="select">
        <select
          id="model"
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy('model', !!model, error)}
          onChange={(event) => onChange(event.target.value)}
        >
          {models.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.label}
            </option>
          ))}
        </select>
      </div>
      {model && <FieldHint id="model">{capabilitySummary(model)}</FieldHint>}
      <FieldError id="model" message={error} />
    </div>
  );
}

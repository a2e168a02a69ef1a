import type { KeyboardEvent } from 'react';
import { describedBy, FieldError, FieldHint } from './Field.tsx';

interface Props {
  value: string;
  error: string | undefined;
  onChange(value: string): void;
  onSubmitShortcut(): void;
}

export function PromptField({ value, error, onChange, onSubmitShortcut }: Props) {
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      onSubmitShortcut();
    }
  }
  return (
    <div className="field" data-field="prompt">
      <label className="field-label" htmlFor="prompt">
        Prompt
      </label>
      <textarea
        id="prompt"
        rows={4}
        value={value}
        placeholder="Describe the image. For a series, say how many: “a set of 4 panels…”"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy('prompt', true, error)}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <FieldHint id="prompt">
        <kbd>Ctrl</kbd> + <kbd>Enter</kbd> generates. {value.length} characters.
      </FieldHint>
      <FieldError id="prompt" message={error} />
    </div>
  );
}

import { useRef, useState, type DragEvent } from 'react';
import { describedBy, FieldError, FieldHint } from './Field.tsx';
import type { ReferenceImage } from './form-state.ts';

interface Props {
  references: ReferenceImage[];
  max: number;
  error: string | undefined;
  onAdd(files: File[]): string | undefined;
  onRemove(id: string): void;
}

/** File picker and drop zone for reference images, with thumbnails and remove buttons. */
export function ReferenceImages({ references, max, error, onAdd, onRemove }: Props) {
  const [dragging, setDragging] = useState(false);
  const [notice, setNotice] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  const full = references.length >= max;

  function add(files: File[]) {
    setNotice(onAdd(files));
  }
  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    add([...event.dataTransfer.files]);
  }

  return (
    <fieldset className="field" data-field="references">
      <legend className="field-label">
        Reference images <span className="count-badge">{`${references.length} / ${max}`}</span>
      </legend>
      <section
        className={`dropzone${dragging ? ' is-dragging' : ''}${full ? ' is-full' : ''}`}
        aria-label="Drop reference images here"
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = full ? 'none' : 'copy';
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <input
          ref={input}
          id="references"
          className="visually-hidden"
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif,image/bmp,image/tiff"
          multiple
          disabled={full}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy('references', true, error)}
          onChange={(event) => {
            add([...(event.target.files ?? [])]);
            event.target.value = '';
          }}
        />
        <label htmlFor="references" className="dropzone-label">
          <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
            <path
              fill="none"
              stroke="currentColor"
              strokeWidth="1.8"
              strokeLinecap="round"
              strokeLinejoin="round"
              d="M12 16V4m0 0-4.5 4.5M12 4l4.5 4.5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3"
            />
          </svg>
          <span>{full ? 'All reference slots are used' : 'Choose images or drop them here'}</span>
        </label>
        <FieldHint id="references">{`Up to ${max} for this model. They guide style, subject and colours.`}</FieldHint>
      </section>
      {notice && (
        <p className="field-note" role="status">
          {notice}
        </p>
      )}
      {references.length > 0 && (
        <ul className="thumbs" aria-label="Chosen reference images">
          {references.map((reference, index) => (
            <li key={reference.id} className="thumb" data-testid="reference-thumb">
              <img src={reference.previewUrl} alt={`Reference ${index + 1}: ${reference.file.name}`} />
              <button
                type="button"
                className="thumb-remove"
                aria-label={`Remove reference ${index + 1} (${reference.file.name})`}
                onClick={() => onRemove(reference.id)}
              >
                <svg aria-hidden="true" viewBox="0 0 16 16" width="12" height="12">
                  <path stroke="currentColor" strokeWidth="2" strokeLinecap="round" d="m4 4 8 8m0-8-8 8" />
                </svg>
              </button>
            </li>
          ))}
        </ul>
      )}
      <FieldError id="references" message={error} />
    </fieldset>
  );
}

import type { ReactNode } from 'react';

/** Ids that tie a control to its hint and error, so screen readers read them with the control. */
export function describedBy(id: string, hint: boolean, error: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export function FieldHint({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p className="field-hint" id={`${id}-hint`}>
      {children}
    </p>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error" id={`${id}-error`} data-testid={`${id}-error`}>
      <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
        <path
          fill="currentColor"
          d="M8 1.5a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13Zm0 3a.9.9 0 0 0-.9.9v3.2a.9.9 0 0 0 1.8 0V5.4A.9.9 0 0 0 8 4.5Zm0 6.1a1 1 0 1 0 0 2 1 1 0 0 0 0-2Z"
        />
      </svg>
      {message}
    </p>
  );
}

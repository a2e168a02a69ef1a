import { useEffect, useState } from 'react';
import { type ErrorDescription, formatSeconds } from './describe-error.ts';

/** The error banner above the gallery; a rate limit counts down to when a retry makes sense. */
export function ErrorAlert({ description }: { description: ErrorDescription }) {
  const [remaining, setRemaining] = useState(description.retryAfter);
  useEffect(() => {
    setRemaining(description.retryAfter);
    if (description.retryAfter === undefined) return;
    const started = Date.now();
    const timer = setInterval(() => {
      const left = (description.retryAfter ?? 0) - (Date.now() - started) / 1000;
      setRemaining(Math.max(0, left));
      if (left <= 0) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [description]);

  return (
    <div
      className={`alert alert-${description.kind === 'validation' ? 'warning' : 'error'}`}
      role="alert"
      data-testid="error-alert"
      data-kind={description.kind}
    >
      <svg className="alert-icon" aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
        <path
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinecap="round"
          d="M12 7.5v5.5m0 3.5v.01M12 2.8a9.2 9.2 0 1 1 0 18.4 9.2 9.2 0 0 1 0-18.4Z"
        />
      </svg>
      <div>
        <p className="alert-title">{description.title}</p>
        {description.detail && <p className="alert-detail">{description.detail}</p>}
        {description.kind === 'rate_limit' && remaining !== undefined && remaining > 0 && (
          <p className="alert-meta" aria-hidden="true">{`Ready again in ${formatSeconds(remaining)}`}</p>
        )}
        {description.requestId && <p className="alert-meta">{`Request id ${description.requestId}`}</p>}
      </div>
    </div>
  );
}

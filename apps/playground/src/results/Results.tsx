import type { ReactNode } from 'react';
import type { ErrorDescription } from './describe-error.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { type GalleryImage, ImageCard, PendingCard } from './ImageCard.tsx';

export interface UsageLike {
  generated_images: number;
  output_tokens?: number;
  total_tokens?: number;
}

export type Phase = 'idle' | 'pending' | 'streaming' | 'success' | 'error' | 'stopped';

interface Props {
  phase: Phase;
  images: GalleryImage[];
  prompt: string | undefined;
  usage: UsageLike | undefined;
  error: ErrorDescription | undefined;
  elapsedMs: number | undefined;
  empty: ReactNode;
}

const numbers = new Intl.NumberFormat('en');

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function statusText(phase: Phase, images: GalleryImage[], elapsedMs: number | undefined): string {
  const done = images.filter((image) => !image.error && image.url).length;
  const failed = images.length - done;
  const seconds = elapsedMs !== undefined ? ` in ${(elapsedMs / 1000).toFixed(1)} s` : '';
  switch (phase) {
    case 'idle':
      return 'Ready when you are.';
    case 'pending':
      return 'Generating…';
    case 'streaming':
      return `Receiving images… ${done} so far`;
    case 'success':
      return `Done: ${plural(done, 'image')}${failed > 0 ? `, ${failed} failed` : ''}${seconds}.`;
    case 'stopped':
      return `Stopped after ${plural(done, 'image')}.`;
    case 'error':
      return 'The generation failed.';
  }
}

export function Results({ phase, images, prompt, usage, error, elapsedMs, empty }: Props) {
  const busy = phase === 'pending' || phase === 'streaming';
  const total = images.length;
  return (
    <section className="panel results" aria-labelledby="results-title">
      <header className="results-header">
        <h2 id="results-title">Results</h2>
        <p className={`status status-${phase}`} role="status" aria-live="polite" data-testid="status">
          {busy && <span className="spinner" aria-hidden="true" />}
          {statusText(phase, images, elapsedMs)}
        </p>
        {usage && (
          <dl className="usage" data-testid="usage" aria-label="Usage">
            <div>
              <dt>Images billed</dt>
              <dd>{numbers.format(usage.generated_images)}</dd>
            </div>
            {usage.output_tokens !== undefined && (
              <div>
                <dt>Output tokens</dt>
                <dd>{numbers.format(usage.output_tokens)}</dd>
              </div>
            )}
            {usage.total_tokens !== undefined && (
              <div>
                <dt>Total tokens</dt>
                <dd>{numbers.format(usage.total_tokens)}</dd>
              </div>
            )}
          </dl>
        )}
      </header>
      {error && <ErrorAlert description={error} />}
      {total === 0 && !busy ? (
        empty
      ) : (
        <ul className="gallery" aria-label="Generated images" aria-busy={busy} data-testid="gallery">
          {images.map((image) => (
            <ImageCard key={image.index} image={image} alt={prompt ? `${prompt} (image ${image.index + 1})` : `Generated image ${image.index + 1}`} />
          ))}
          {busy && <PendingCard />}
        </ul>
      )}
    </section>
  );
}

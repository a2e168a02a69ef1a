'use client';
/**
 * The browser half: useSeedream over the HTTP transport, pointed at the route of app/api/generate. Nothing here
 * knows the key; the route adds it on the server.
 */
import { createHttpTransport, SeedreamProvider, useSeedream } from '@seedream-kit/react';
import Image from 'next/image';
import { type FormEvent, useState } from 'react';

const transport = createHttpTransport({ url: '/api/generate' });

const SIZES = [
  { value: '1280x720', label: 'Landscape 1280 × 720' },
  { value: '1024x1024', label: 'Square 1024 × 1024' },
  { value: '720x1280', label: 'Portrait 720 × 1280' },
];

export interface Art {
  src: string;
  width: number;
  height: number;
  alt: string;
  placeholder: string;
}

export function Generator({ emptyArt }: { emptyArt: Art }) {
  return (
    <SeedreamProvider transport={transport}>
      <Form emptyArt={emptyArt} />
    </SeedreamProvider>
  );
}

function Form({ emptyArt }: { emptyArt: Art }) {
  const seedream = useSeedream();
  const [prompt, setPrompt] = useState('');
  const [size, setSize] = useState(SIZES[0]!.value);
  const busy = seedream.isPending || seedream.isStreaming;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    seedream.generate({
      model: 'doubao-seedream-4-0-250828',
      prompt,
      size,
      watermark: false,
      // The bytes come in the answer: the route stores them and the page loads them from /api/generate/jobs/….
      response_format: 'b64_json',
    });
  }

  return (
    <section className="generator">
      <form onSubmit={submit}>
        <label htmlFor="prompt">Prompt</label>
        <textarea id="prompt" value={prompt} onChange={(event) => setPrompt(event.target.value)} rows={3} required />
        <label htmlFor="size">Size</label>
        <select id="size" value={size} onChange={(event) => setSize(event.target.value)}>
          {SIZES.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <div className="actions">
          <button type="submit" disabled={busy || !prompt.trim()}>
            Generate
          </button>
          {busy && (
            <button type="button" onClick={seedream.abort}>
              Stop
            </button>
          )}
        </div>
      </form>
      <p role="status" data-testid="status">
        {seedream.isPending && 'Generating…'}
        {seedream.isSuccess && `Done: ${seedream.images.length} image${seedream.images.length === 1 ? '' : 's'}`}
      </p>
      {seedream.isError && (
        <p role="alert">
          {seedream.error.kind === 'rate_limit' ? `Busy: try again in ${seedream.error.retryAfter ?? 'a few'} seconds.` : seedream.error.message}
        </p>
      )}
      <div className="gallery">
        {seedream.images.length === 0 && !busy ? (
          // Build-time art through next/image: the optimizer resizes it, the ThumbHash preview shows while it loads.
          <Image
            className="empty"
            src={emptyArt.src}
            width={emptyArt.width}
            height={emptyArt.height}
            alt={emptyArt.alt}
            placeholder="blur"
            blurDataURL={emptyArt.placeholder}
            sizes="320px"
            data-testid="empty-art"
          />
        ) : (
          seedream.images.map((image) =>
            image.error ? (
              <p key={image.index}>
                Image {image.index + 1} failed: {image.error.code}
              </p>
            ) : (
              // biome-ignore lint/performance/noImgElement: made at run time and already stored by the route; nothing for next/image to optimize
              <img key={image.index} src={image.url} alt={seedream.variables?.prompt ?? ''} data-testid="generated-image" />
            ),
          )
        )}
      </div>
    </section>
  );
}

/** One slot of a generation: the image with its size and a download link, or the error that replaced it. */

/** What the page reads of the kit's ClientImage. */
export interface GalleryImage {
  index: number;
  url?: string;
  size?: string;
  width?: number;
  height?: number;
  output_format?: string;
  error?: { code: string; message: string };
}

export function dimensions(image: GalleryImage): { width?: number; height?: number } {
  if (image.width && image.height) return { width: image.width, height: image.height };
  const match = /^(\d+)\s*[x×]\s*(\d+)$/.exec(image.size ?? '');
  return match ? { width: Number(match[1]), height: Number(match[2]) } : {};
}

function extension(image: GalleryImage): string {
  const fromData = /^data:image\/(\w+)/.exec(image.url ?? '')?.[1];
  const format = (image.output_format ?? fromData ?? 'jpeg').toLowerCase();
  return format === 'jpeg' ? 'jpg' : format;
}

/** Same-origin link that downloads the image: data URIs and stored images (`/api/…`) directly, remote URLs through the server's proxy. */
export function downloadLink(image: GalleryImage): { href: string; filename: string } | undefined {
  if (!image.url) return undefined;
  const filename = `seedream-${image.index + 1}.${extension(image)}`;
  if (image.url.startsWith('data:') || /^\/(?!\/)/.test(image.url)) return { href: image.url, filename };
  return { href: `/api/download?${new URLSearchParams({ url: image.url, filename })}`, filename };
}

export function ImageCard({ image, alt }: { image: GalleryImage; alt: string }) {
  const { width, height } = dimensions(image);
  if (image.error || !image.url) {
    return (
      <li className="card card-failed" data-testid="gallery-failed">
        <div className="card-media card-media-failed" style={width && height ? { aspectRatio: `${width} / ${height}` } : undefined}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="28" height="28">
            <path
              fill="none"
              stroke="currentColor"
              strokeWidth="1.6"
              strokeLinecap="round"
              d="M12 8v5m0 3.5v.01M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z"
            />
          </svg>
          <p>
            <strong>{`Image ${image.index + 1} failed`}</strong>
            <br />
            {image.error?.code === 'OutputImageSensitiveContentDetected' ? 'Blocked by the content filter.' : (image.error?.message ?? 'No image came back.')}
          </p>
        </div>
      </li>
    );
  }
  const download = downloadLink(image);
  return (
    <li className="card" data-testid="gallery-image">
      <figure>
        <div className="card-media" style={width && height ? { aspectRatio: `${width} / ${height}` } : undefined}>
          <img src={image.url} alt={alt} width={width} height={height} decoding="async" />
        </div>
        <figcaption className="card-caption">
          <span className="card-index">{`#${image.index + 1}`}</span>
          <span className="card-meta">
            {[image.size ?? (width && height ? `${width}×${height}` : undefined), extension(image).toUpperCase()].filter(Boolean).join(' · ')}
          </span>
          {download && (
            <a className="icon-button" href={download.href} download={download.filename} title="Download">
              <span className="visually-hidden">{`Download image ${image.index + 1}`}</span>
              <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                <path
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="1.6"
                  strokeLinecap="round"
                  strokeLinejoin="round"
                  d="M8 2.5v8m0 0L4.8 7.3M8 10.5l3.2-3.2M2.5 13.5h11"
                />
              </svg>
            </a>
          )}
        </figcaption>
      </figure>
    </li>
  );
}

export function PendingCard() {
  return (
    <li className="card card-pending" aria-hidden="true" data-testid="gallery-pending">
      <div className="card-media shimmer" />
    </li>
  );
}

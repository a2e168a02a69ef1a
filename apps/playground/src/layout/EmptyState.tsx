import type { Art } from '../art.ts';

export function EmptyState({ art }: { art: Art }) {
  return (
    <div className="empty" data-testid="empty-state">
      <img className="empty-art" src={art.src} alt={art.alt} width={art.width} height={art.height} loading="lazy" />
      <p className="empty-title">No images yet</p>
      <p className="empty-text">Write a prompt and press Generate. In a series, each image appears here as soon as it is ready.</p>
    </div>
  );
}

/**
 * A server component: the build-time art (modules written by `seedream generate` from seedream.images.json,
 * images from the committed .seedream/ cache) and the generator, a client component around useSeedream.
 */
import empty from '../art/empty.js';
import hero from '../art/hero.js';
import { upstreamMode } from '../lib/seedream';
import { Generator } from './generator';

// The banner says where images come from, which is known at request time (COMETAPI_KEY), not at build time.
export const dynamic = 'force-dynamic';

export default function Home() {
  const mode = upstreamMode();
  return (
    <main>
      <header className="hero">
        <picture>
          {hero.sources.map((source) => (
            <source key={source.type} type={source.type} srcSet={source.srcset} sizes="(max-width: 720px) 100vw, 720px" />
          ))}
          <img
            data-testid="hero-art"
            src={hero.src}
            width={hero.width}
            height={hero.height}
            alt={hero.alt}
            fetchPriority="high"
            style={{ backgroundImage: `url(${hero.placeholder})` }}
          />
        </picture>
        <h1>Seedream on Next.js</h1>
      </header>
      <p className="banner" data-testid="mode-banner">
        {mode === 'emulator'
          ? 'Offline emulator: no COMETAPI_KEY is set, so images are placeholder art made on this machine.'
          : 'CometAPI: COMETAPI_KEY is set on the server; every generation is real and billed.'}
      </p>
      <Generator emptyArt={{ src: empty.src, width: empty.width, height: empty.height, alt: empty.alt, placeholder: empty.placeholder }} />
    </main>
  );
}

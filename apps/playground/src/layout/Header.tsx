import type { ServerInfo } from '../api/server-info.ts';
import type { Art } from '../art.ts';

/** Title over the build-time header art, and a banner that says where images come from. */
export function Header({ info, art }: { info: ServerInfo | undefined; art: Art }) {
  return (
    <header className="hero">
      <img
        className="hero-art"
        src={art.src}
        alt=""
        width={art.width}
        height={art.height}
        style={art.placeholder ? { backgroundImage: `url(${art.placeholder})` } : undefined}
      />
      <div className="hero-inner">
        <p className="hero-kicker">seedream-kit</p>
        <h1>Seedream playground</h1>
        <p className="hero-lede">ByteDance Seedream image generation in a React app: the hook, the GraphQL API and build-time art, working together.</p>
      </div>
      {info && (
        <div className={`mode-banner mode-${info.mode}`} role="note" data-testid="mode-banner">
          <span className="mode-dot" aria-hidden="true" />
          {info.mode === 'emulator' ? (
            <p>
              <strong>Offline emulator.</strong> No <code>COMETAPI_KEY</code> is set: images are free placeholder art from the built-in emulator. Set the key
              and restart to generate for real.
            </p>
          ) : (
            <p>
              <strong>Live: CometAPI.</strong> Generations are real and billed to the server’s key; stopping one does not refund it.
            </p>
          )}
        </div>
      )}
    </header>
  );
}

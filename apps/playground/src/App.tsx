import { createGraphQLTransport } from '@seedream-kit/graphql/transport';
import { createHttpTransport, SeedreamProvider } from '@seedream-kit/react';
import { useMemo, useState } from 'react';
import { useModels } from './api/models.ts';
import { useServerInfo } from './api/server-info.ts';
import { emptyArt, headerArt } from './art.ts';
import { EmptyState } from './layout/EmptyState.tsx';
import { Header } from './layout/Header.tsx';
import { Playground } from './Playground.tsx';

type TransportKind = 'http' | 'graphql';

export function App() {
  const info = useServerInfo();
  const models = useModels();
  const [transportKind, setTransportKind] = useState<TransportKind>('http');
  const transport = useMemo(
    () =>
      transportKind === 'http'
        ? createHttpTransport({ url: '/api/seedream', uploadUrl: '/api/uploads' })
        : createGraphQLTransport({ url: '/graphql', uploadUrl: '/api/uploads' }),
    [transportKind],
  );

  return (
    <SeedreamProvider transport={transport}>
      <a className="skip-link" href="#main">
        Skip to the form
      </a>
      <Header info={info} art={headerArt} />
      <main id="main" className="main">
        {models.status === 'loading' && (
          <p className="loading" role="status">
            Loading models…
          </p>
        )}
        {models.status === 'error' && (
          <div className="alert alert-error" role="alert">
            <div>
              <p className="alert-title">The model list could not be loaded</p>
              <p className="alert-detail">{models.message}</p>
            </div>
          </div>
        )}
        {models.status === 'ready' && <Playground key={transportKind} models={models.models} empty={<EmptyState art={emptyArt} />} />}
      </main>
      <footer className="footer">
        <div className="segmented segmented-small" role="radiogroup" aria-label="Transport">
          <span className="footer-label" aria-hidden="true">
            Transport
          </span>
          <label>
            <input type="radio" name="transport" value="http" checked={transportKind === 'http'} onChange={() => setTransportKind('http')} />
            <span>HTTP route + SSE</span>
          </label>
          <label>
            <input type="radio" name="transport" value="graphql" checked={transportKind === 'graphql'} onChange={() => setTransportKind('graphql')} />
            <span>GraphQL</span>
          </label>
        </div>
        <p>
          Built with <code>@seedream-kit/react</code>, <code>@seedream-kit/graphql</code> and <code>@seedream-kit/vite</code>. The API key never leaves the
          server.
        </p>
      </footer>
    </SeedreamProvider>
  );
}

/** What every request handler shares: settings, stores, log and the state of one request. */
import type { ServerResponse } from 'node:http';
import type { LogEntry } from '../types.js';
import type { ArtRenderer } from './art/render.js';
import type { Envelope } from './errors.js';
import type { Faults } from './faults.js';
import type { ImageStore } from './image-store.js';
import type { LatencySource } from './latency.js';
import type { MemoryRequestLog } from './request-log.js';
import type { UrlSigner } from './signed-url.js';

export interface ServerContext {
  origin: string;
  apiKeys: ReadonlySet<string> | undefined;
  latency: LatencySource;
  serverFaults: { spec: string | undefined; parsed: Faults };
  urlLifetimeMs: number;
  rejectUnsupportedParams: boolean;
  envelope: Envelope;
  art: ArtRenderer;
  store: ImageStore;
  signer: UrlSigner;
  log: MemoryRequestLog;
  maxBodyBytes: number;
}

/** One request in flight. */
export interface Exchange {
  entry: LogEntry;
  requestId: string;
  res: ServerResponse;
  signal: AbortSignal;
  /** Set when the emulator itself cut the connection (injected reset/truncate), so it is not a client abort. */
  cutByServer: boolean;
}

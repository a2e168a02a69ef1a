import { useEffect, useState } from 'react';

/** What `/api/info` says about the server: where images come from. Never contains a key. */
export interface ServerInfo {
  mode: 'emulator' | 'cometapi';
  /** Human-readable upstream, e.g. "in-process emulator" or the CometAPI base URL. */
  upstream: string;
}

export function useServerInfo(): ServerInfo | undefined {
  const [info, setInfo] = useState<ServerInfo>();
  useEffect(() => {
    const controller = new AbortController();
    fetch('/api/info', { signal: controller.signal })
      .then((response) => (response.ok ? (response.json() as Promise<ServerInfo>) : undefined))
      .then(setInfo)
      .catch(() => {});
    return () => controller.abort();
  }, []);
  return info;
}

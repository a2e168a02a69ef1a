import { afterEach, describe, expect, it } from 'vitest';
import { createNodeFetch } from '../src/node.js';
import { rawServer, type RawServer } from './helpers.js';

// The client's own suites (generate, stream, retries, errors) also run over createNodeFetch() in the `node-fetch`
// project (vitest.config.ts); these are the fetch-level details those suites do not reach.
let server: RawServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('createNodeFetch()', () => {
  it('opens a connection per call (a paid POST never goes out on a reused idle socket) and sends the body with its length', async () => {
    const ports = new Set<number>();
    const lengths: (string | undefined)[] = [];
    server = await rawServer((req, res) => {
      ports.add(req.socket.remotePort!);
      lengths.push(req.headers['content-length']);
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const fetch = createNodeFetch();
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${server.url}/x`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'héllo' });
      expect(await response.text()).toBe('ok');
    }
    expect(ports.size).toBe(3);
    expect(lengths).toEqual(['6', '6', '6']);
  });

  it('never follows a redirect and gives the headers as sent', async () => {
    server = await rawServer((_req, res) => {
      res.writeHead(307, { location: '/elsewhere', 'x-a': 'one' });
      res.end();
    });
    const response = await createNodeFetch()(`${server.url}/x`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('/elsewhere');
    expect(response.headers.get('x-a')).toBe('one');
    expect(server.requests).toBe(1);
  });

  it('answers a 204 with no body', async () => {
    server = await rawServer((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const response = await createNodeFetch()(`${server.url}/x`);
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('rejects with the signal’s reason when aborted before the answer, and errors the body when aborted during it', async () => {
    server = await rawServer((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first');
    });
    const fetch = createNodeFetch();
    const early = new AbortController();
    const pending = fetch(`${server.url}/slow`, { signal: early.signal });
    setTimeout(() => early.abort(new Error('stop early')), 50);
    await expect(pending).rejects.toThrow('stop early');

    const late = new AbortController();
    const response = await fetch(`${server.url}/body`, { signal: late.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first');
    late.abort(new Error('stop late'));
    await expect(reader.read()).rejects.toThrow('stop late');
  });

  it('errors the body when the server cuts the connection mid-body', async () => {
    server = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('part');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const response = await createNodeFetch()(`${server.url}/x`);
    await expect(response.text()).rejects.toThrow(/terminated/);
  });

  it('refuses what it does not implement, naming it', async () => {
    const fetch = createNodeFetch();
    await expect(fetch(new Request('http://127.0.0.1/'))).rejects.toThrow('must be a URL or a string');
    await expect(fetch('file:///etc/passwd')).rejects.toThrow('file: URLs are not supported');
    await expect(fetch('http://127.0.0.1/', { method: 'POST', body: new Blob(['x']) })).rejects.toThrow('string or bytes');
  });
});

/** createSeedreamYoga's HTTP defaults against hostile requests: malformed Host, other origins' preflights, nosniff. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from './helpers.js';
import type { Stack } from './helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** One raw HTTP/1.1 exchange, so the Host header can be anything. */
function raw(request: string): Promise<string> {
  const { port } = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('createSeedreamYoga over node:http', () => {
  it.each([['a b'], ['[::1'], ['127.0.0.1:1.evil']])('a malformed Host %j is a 400 with no stack trace or path', async (host) => {
    const body = '{"query":"{ seedreamModels { id } }"}';
    const answer = await raw(
      `POST /graphql HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(answer).not.toMatch(/ at |node_modules|\/work\/|TypeError/);
    expect(stack.emulator.log.entries).toHaveLength(0);
  });

  it('answers a preflight from another origin without allowing it (CORS is off unless origins are listed)', async () => {
    const response = await fetch(stack.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('sends nosniff on successes and errors', async () => {
    const ok = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ seedreamModels { id } }"}' });
    const bad = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: '{"query":"{ nope }"}',
    });
    expect([ok.status, ok.headers.get('x-content-type-options')]).toEqual([200, 'nosniff']);
    expect([bad.status, bad.headers.get('x-content-type-options')]).toEqual([400, 'nosniff']);
  });
});

/** A gateway that echoes the key into a success: no result, event or final result the client returns holds it. */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedream, type SucceededImage } from '../src/index.js';
import { FAKE_KEY, rawServer, type RawServer } from './helpers.js';

const echo = (key: string) => `echo-${key}-end`;
let server: RawServer;

beforeAll(async () => {
  server = await rawServer((request, response) => {
    const key = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    const slot = { url: `https://img.test/${echo(key)}.png`, size: `2048x2048${key}`, note: { deep: [echo(key)] } };
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (JSON.parse(body).stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const send = (event: Record<string, unknown>) => response.write(`data: ${JSON.stringify(event)}\n\n`);
        send({ type: 'image_generation.partial_succeeded', model: echo(key), created: 1, image_index: 0, ...slot });
        send({ type: 'image_generation.partial_failed', model: echo(key), created: 1, image_index: 1, error: { code: echo(key), message: echo(key) } });
        send({ type: 'image_generation.completed', model: echo(key), created: 1, usage: { generated_images: 1, note: echo(key) } });
        response.end('data: [DONE]\n\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          model: echo(key),
          created: 1,
          data: [slot, { error: { code: echo(key), message: echo(key) } }],
          usage: { generated_images: 1, extra: echo(key) },
          trace: echo(key),
        }),
      );
    });
  });
});
afterAll(() => server.close());

const client = () => createSeedream({ baseURL: server.url, apiKey: FAKE_KEY });
const holdsKey = (value: unknown) => inspect(value, { depth: 20 }).includes(FAKE_KEY) || JSON.stringify(value).includes(FAKE_KEY);

describe('the key echoed in a success', () => {
  it('is scrubbed from every field of a JSON result, and the rest survives', async () => {
    const result = await client().generate({ prompt: 'a boat' });
    expect(holdsKey(result)).toBe(false);
    expect(result.model).toBe('echo-***-end');
    expect(result.images[0]).toMatchObject({ url: 'https://img.test/echo-***-end.png', size: '2048x2048***' });
  });

  it('is scrubbed from every stream event and from the final result', async () => {
    const stream = await client().generate({ prompt: 'a boat', stream: true, sequential_image_generation: 'auto' });
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    expect(events).toHaveLength(3);
    expect(holdsKey(events)).toBe(false);
    expect(holdsKey(await stream.finalResult())).toBe(false);
  });
});

/** The key spelled with JSON escapes (`\u0073\u006b…`): the text does not hold it, the parsed strings do. */
const escaped = (key: string) => [...key].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('the key echoed with JSON escapes, or as a property name', () => {
  let escaping: RawServer;
  beforeAll(async () => {
    escaping = await rawServer((request, response) => {
      const key = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const spell = (text: string) => text.split(key).join(escaped(key));
        // A value and a property name in escapes, and a property name in plain text.
        const slot = { url: 'https://img.test/a.png', size: '2048x2048', note: `echo-${key}`, [`k-${key}`]: 1 };
        if (JSON.parse(body).stream) {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write(`data: ${spell(JSON.stringify({ type: 'image_generation.partial_succeeded', model: 'm', created: 1, image_index: 0, ...slot }))}\n\n`);
          response.write(
            `data: ${JSON.stringify({ type: 'image_generation.completed', model: 'm', created: 1, usage: { generated_images: 1 }, [key]: key })}\n\n`,
          );
          response.end('data: [DONE]\n\n');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          spell(JSON.stringify({ model: `echo-${key}`, created: 1, data: [slot], usage: { generated_images: 1 } })).replace(
            '"created"',
            `"${key}":0,"created"`,
          ),
        );
      });
    });
  });
  afterAll(() => escaping.close());
  const escapingClient = () => createSeedream({ baseURL: escaping.url, apiKey: FAKE_KEY });

  it('is scrubbed from a JSON result whose text holds it only in escapes', async () => {
    const result = await escapingClient().generate({ prompt: 'a boat' });
    expect(holdsKey(result)).toBe(false);
    expect(result.model).toBe('echo-***');
    expect((result.images[0] as SucceededImage).extra).toEqual({ note: 'echo-***', 'k-***': 1 });
    expect(result.extra).toEqual({ '***': 0 });
  });

  it('is scrubbed from stream events whose text holds it only in escapes', async () => {
    const stream = await escapingClient().generate({ prompt: 'a boat', stream: true });
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    expect(events).toHaveLength(2);
    expect(holdsKey(events)).toBe(false);
    expect(holdsKey(await stream.finalResult())).toBe(false);
  });
});

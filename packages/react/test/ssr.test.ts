import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { SeedreamProvider, useSeedream } from '../src/index.js';

describe('server rendering', () => {
  it('renders idle on the server and never calls the transport', () => {
    const generate = vi.fn();
    function View() {
      const seedream = useSeedream();
      return createElement('p', null, `${seedream.status}:${seedream.images.length}:${String(seedream.isIdle)}`);
    }
    const html = renderToString(createElement(SeedreamProvider, { transport: { generate } }, createElement(View)));
    expect(html).toBe('<p>idle:0:true</p>');
    expect(generate).not.toHaveBeenCalled();
  });

  it('marks the browser build "use client" and keeps the server entry free of it and of React', async () => {
    const { readFile } = await import('node:fs/promises');
    const dist = new URL('../dist/', import.meta.url);
    const client = await readFile(new URL('index.js', dist), 'utf8'); // turbo builds the package before its tests
    expect(client.startsWith('"use client";')).toBe(true);
    expect((await readFile(new URL('index.cjs', dist), 'utf8')).startsWith('"use client";')).toBe(true);
    const server = await readFile(new URL('server.js', dist), 'utf8');
    expect(server).not.toContain('use client');
    expect(server).not.toMatch(/from ["']react["']/);
    expect(client).not.toMatch(/from ["']@seedream-kit\/core["']/); // only the small ./transport entry
  });
});

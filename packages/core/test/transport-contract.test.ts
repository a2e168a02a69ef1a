/** The browser-side contract of `@seedream-kit/core/transport`: one error type, image strings, an SSE reader. */
import { describe, expect, it } from 'vitest';
import { isSeedreamClientError, readServerSentEvents, SeedreamClientError, toImageString } from '../src/transport.js';
import { imageBytes } from './helpers.js';
import { sniffCommonImageMime, sniffImageType } from '../src/internal/sniff.js';

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

describe('SeedreamClientError', () => {
  it('keeps what it was given, drops empty partial results, and is recognised across copies by its brand', () => {
    const error = new SeedreamClientError('rate_limit', 'slow down', { status: 429, retryAfter: 30, partialResult: { images: [], model: 'm', created: 0 } });
    expect(error).toMatchObject({ name: 'SeedreamClientError', kind: 'rate_limit', status: 429, retryAfter: 30 });
    expect(error.partialResult).toBeUndefined();
    const fromAnotherCopy = Object.assign(new Error('x'), { kind: 'network', [Symbol.for('seedream-kit.client-error')]: true });
    expect(isSeedreamClientError(fromAnotherCopy)).toBe(true);
    expect(fromAnotherCopy instanceof SeedreamClientError).toBe(true);
    expect(isSeedreamClientError(new Error('plain'))).toBe(false);
    expect(isSeedreamClientError({ kind: 'network' })).toBe(false);
  });
});

describe('toImageString', () => {
  it('passes strings through and sniffs the format of Files whatever they declare', async () => {
    expect(await toImageString('https://x.test/a.png')).toBe('https://x.test/a.png');
    const png = await imageBytes('png');
    const mislabelled = new Blob([png], { type: 'image/jpeg' });
    const untyped = new Blob([png]);
    for (const blob of [mislabelled, untyped]) {
      const uri = await toImageString(blob);
      expect(uri.startsWith('data:image/png;base64,')).toBe(true);
      expect(Buffer.from(uri.split(',')[1]!, 'base64').equals(Buffer.from(png))).toBe(true);
    }
    expect(await toImageString(new Blob(['hello'], { type: 'text/plain' }))).toBe(`data:text/plain;base64,${btoa('hello')}`);
  });

  it("the browser's small sniffer agrees with the full one on every format the API takes, and leaves the rest to the declared type", async () => {
    for (const format of ['png', 'jpeg', 'webp', 'gif', 'tiff'] as const) {
      const bytes = await imageBytes(format);
      expect([format, sniffCommonImageMime(bytes)]).toEqual([format, sniffImageType(bytes)?.mime]);
      const uri = await toImageString(new Blob([bytes], { type: 'application/x-wrong' }));
      expect(uri.startsWith(`data:${sniffImageType(bytes)!.mime};base64,`)).toBe(true);
    }
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    bmp.set([40], 14);
    expect(sniffCommonImageMime(bmp)).toBe(sniffImageType(bmp)?.mime);
    const heicLike = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0, ...new TextEncoder().encode('mif1heic')]);
    expect(sniffCommonImageMime(heicLike)).toBeUndefined();
    expect(await toImageString(new Blob([heicLike], { type: 'image/heic' }))).toMatch(/^data:image\/heic;base64,/);
  });
});

describe('readServerSentEvents', () => {
  it('reads events split across chunks, CRLF lines, multi-line data, and skips comments (pings)', async () => {
    const events = [];
    for await (const event of readServerSentEvents(
      streamOf(': ping\n\nevent: im', 'age\r\ndata: {"a":1}\r\n\r\ndata: one\ndata: two\n\nevent: done\ndata:\n\n'),
    ))
      events.push(event);
    expect(events).toEqual([
      { event: 'image', data: '{"a":1}' },
      { event: 'message', data: 'one\ntwo' },
      { event: 'done', data: '' },
    ]);
  });

  it('cancels the body when the reader leaves early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _event of readServerSentEvents(body)) break;
    expect(cancelled).toBe(true);
  });
});

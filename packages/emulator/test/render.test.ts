import { describe, expect, it } from 'vitest';
import { placeholderSvg, renderPlaceholder } from '../src/index.js';
import { metadataOf } from './helpers.js';

describe('renderPlaceholder', () => {
  it('renders PNG and JPEG of exactly the asked size', async () => {
    for (const [format, width, height] of [
      ['png', 320, 200],
      ['jpeg', 200, 320],
      ['png', 1600, 100],
    ] as const) {
      const meta = await metadataOf(await renderPlaceholder({ prompt: 'a fox', width, height, format }));
      expect([meta.format, meta.width, meta.height]).toEqual([format, width, height]);
    }
  });

  it('is deterministic in its input and sensitive to each part of it', async () => {
    const input = { prompt: 'a fox', width: 256, height: 256, seed: 3, index: 0, model: 'm' };
    const a = Buffer.from(await renderPlaceholder(input));
    expect(Buffer.compare(a, Buffer.from(await renderPlaceholder({ ...input })))).toBe(0);
    for (const change of [{ seed: 4 }, { index: 1 }, { model: 'n' }, { prompt: 'a dog' }, { watermark: true }, { referenceColors: ['#ff0000'] }]) {
      expect(Buffer.compare(a, Buffer.from(await renderPlaceholder({ ...input, ...change }))), JSON.stringify(change)).not.toBe(0);
    }
  });

  it('escapes the prompt in the SVG caption', () => {
    const svg = placeholderSvg({ prompt: '<script>&"\'', width: 600, height: 400 });
    expect(svg).toContain('&lt;script&gt;&amp;&quot;&apos;');
    expect(svg).not.toContain('<script>');
  });

  it('rejects impossible sizes', async () => {
    await expect(renderPlaceholder({ prompt: 'x', width: 0, height: 10 })).rejects.toThrow(RangeError);
  });
});

describe('renderPlaceholder with awkward prompts', () => {
  it('survives control characters, emoji, CJK and very long prompts', async () => {
    for (const prompt of ['bell\u0007 tab\t null\u0000', '🦊 in the snow ❄️', '一只狐狸在雪地里', 'long '.repeat(5000)]) {
      const meta = await metadataOf(await renderPlaceholder({ prompt, width: 300, height: 200 }));
      expect([meta.width, meta.height], prompt.slice(0, 20)).toEqual([300, 200]);
    }
  });
});

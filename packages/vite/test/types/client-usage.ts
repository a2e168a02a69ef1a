/**
 * Type-level test of the published `client` typings (checked by `pnpm typecheck`, never run):
 * `seedream:*` imports are typed, default and named exports alike.
 */
/// <reference path="../../types/client.d.ts" />
import hero, { alt, format, height, placeholder, src, width } from 'seedream:hero';
import kite from 'seedream:?prompt=a%20red%20kite&size=1K';

const area: number = hero.width * hero.height + width * height;
const text: string[] = [hero.src, hero.alt, hero.placeholder, kite.src, src, alt, placeholder];
const kind: 'png' | 'jpeg' = format;
// @ts-expect-error width is a number
const wrong: string = hero.width;
// @ts-expect-error no such export
import { prompt } from 'seedream:hero';

export { area, text, kind, wrong, prompt };

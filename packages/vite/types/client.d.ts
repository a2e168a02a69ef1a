/**
 * Types of `seedream:*` imports. Add to tsconfig.json: `"types": ["@seedream-kit/vite/client"]`, or put
 * `/// <reference types="@seedream-kit/vite/client" />` in a `.d.ts` file of your project.
 */
declare module 'seedream:*' {
  /** URL of the image: a hashed asset in builds, a dev-server URL in `vite dev`. */
  export const src: string;
  export const width: number;
  export const height: number;
  /** The image's `alt` option, else its prompt. */
  export const alt: string;
  /** A tiny blurred preview (the ThumbHash as a WebP data URL) to show while the image loads. */
  export const placeholder: string;
  export const format: 'png' | 'jpeg';
  const image: {
    src: string;
    width: number;
    height: number;
    alt: string;
    placeholder: string;
    format: 'png' | 'jpeg';
  };
  export default image;
}

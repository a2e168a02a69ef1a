/**
 * Types of `seedream:*` imports, the same for every seedream-kit adapter (Vite, unplugin, the CLI's modules).
 * Add to tsconfig.json: `"types": ["@seedream-kit/art/client"]` (or the adapter's own `/client`), or put
 * `/// <reference types="@seedream-kit/art/client" />` in a `.d.ts` file of your project.
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
  /** Responsive images (`w=…&format=…`): one `srcset` string per format; `{}` otherwise. */
  export const srcset: { avif?: string; webp?: string; png?: string; jpeg?: string };
  /** Responsive images: the `<source>`s of a `<picture>` in the requested format order; `[]` otherwise. */
  export const sources: { type: string; srcset: string }[];
  const image: {
    src: string;
    width: number;
    height: number;
    alt: string;
    placeholder: string;
    format: 'png' | 'jpeg';
    srcset: { avif?: string; webp?: string; png?: string; jpeg?: string };
    sources: { type: string; srcset: string }[];
  };
  export default image;
}

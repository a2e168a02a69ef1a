/** The page's decorative images, made at build time by @seedream-kit/vite (see vite.config.ts). */
import empty from 'seedream:empty';
import header from 'seedream:header';

export type Art = typeof header;

export const headerArt: Art = header;
export const emptyArt: Art = empty;

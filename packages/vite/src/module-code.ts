/** The JavaScript of a `seedream:*` module. */
import type { ImageFacts } from './image/describe.js';

/**
 * `srcExpression` is a JS expression: a string literal in dev, `import.meta.ROLLDOWN_FILE_URL_<ref>` in a
 * build (Vite turns it into the hashed asset's URL, honouring `base`).
 */
export function moduleCode(srcExpression: string, facts: ImageFacts, alt: string): string {
  return [
    `export const src = ${srcExpression};`,
    `export const width = ${facts.width};`,
    `export const height = ${facts.height};`,
    `export const alt = ${JSON.stringify(alt)};`,
    `export const placeholder = ${JSON.stringify(facts.placeholder)};`,
    `export const format = ${JSON.stringify(facts.format)};`,
    'export default { src, width, height, alt, placeholder, format };',
    '',
  ].join('\n');
}

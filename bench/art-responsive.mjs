// Responsive variants of @seedream-kit/art against sharp directly; the method is described in bench/lib/art.mjs.
import { runPart } from './lib/art.mjs';

export const run = (options) => runPart('responsive', options);

// The cold builds of @seedream-kit/unplugin in every bundler; the method is described in bench/lib/art.mjs.
import { runPart } from './lib/art.mjs';

export const run = (options) => runPart('cold', options);

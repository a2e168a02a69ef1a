/** What the engine tests use, from the package's public entry (plus a hash helper). */
import { createHash } from 'node:crypto';

export { ArtEngine, imageJsonExpression, imageValue, moduleCode, parseSpecifier } from '../src/index.js';
export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export { FAKE_KEY } from './fake-key.js';
export { cleanup, copyToTemp, testEmulator } from './temporary.js';
export { readTree, sha256 } from './tree.js';
export type { ImageModule } from './image-module.js';

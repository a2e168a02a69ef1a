/**
 * @seedream-kit/core/node: the Node-only helpers (they use node:dns, node:http, node:fs). Kept out of the
 * main entry so that it stays importable in browsers.
 */
export { downloadImage, DEFAULT_DOWNLOAD_MAX_BYTES, DEFAULT_DOWNLOAD_TIMEOUT } from './internal/node/download.js';
export type { DownloadOptions, DownloadedFile } from './internal/node/download.js';
export { isPrivateAddress } from './internal/node/address-policy.js';
export { isAtomicWriteTemp, writeFileAtomic } from './internal/node/atomic-write.js';
export type { WriteFileAtomicOptions } from './internal/node/atomic-write.js';
export { FileImageStorage, createFilePersistence } from './internal/node/file-storage.js';
export type { FilePersistenceOptions } from './internal/node/file-storage.js';
export { createNodeFetch } from './internal/node/node-fetch.js';
export type { NodeFetchOptions } from './internal/node/node-fetch.js';

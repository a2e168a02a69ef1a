/** Result images the emulator serves at its signed URLs, kept in a byte-bounded LRU. */
import { ByteLru } from './lru.js';

export interface StoredImage {
  bytes: Uint8Array;
  contentType: string;
  /** Exact expiry in epoch ms (the URL's `X-Tos-Expires` is whole seconds). */
  expiresAt: number;
}

export class ImageStore {
  private readonly images: ByteLru<StoredImage>;

  constructor(maxBytes: number) {
    this.images = new ByteLru(maxBytes);
  }

  put(path: string, image: StoredImage): void {
    this.images.set(path, image, image.bytes.byteLength + 256);
  }

  get(path: string): StoredImage | undefined {
    return this.images.get(path);
  }
}

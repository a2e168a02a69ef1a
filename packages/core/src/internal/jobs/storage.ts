/**
 * Persisted images: each image of a job is stored before it is reported, so a result outlives the 24 hours a
 * provider URL stays valid and survives the instance that produced it. An S3-compatible store implements the
 * same three calls; the filesystem store is in `@seedream-kit/core/node`.
 */
export interface StoredImage {
  bytes: Uint8Array;
  contentType: string;
}

export interface ImageStorage {
  /** Stores an image under a key made of the job id and the image index (`job_…/0`). */
  put(key: string, image: StoredImage): Promise<void>;
  get(key: string): Promise<StoredImage | undefined>;
  /** Removes every image of a job. */
  deleteJob?(jobId: string): Promise<void>;
}

export interface PersistOptions {
  storage: ImageStorage;
  /** The app's own URL for a stored image, e.g. `(id, i) => \`/api/seedream/jobs/${id}/images/${i}\`` (the route serves it). */
  url: (jobId: string, index: number) => string;
  /**
   * Fetches a URL result while it is valid. Use an SSRF-guarded downloader (`downloadImage` of
   * `@seedream-kit/core/node`; `createFilePersistence` there wires it): the URL comes from an API answer.
   */
  download: (url: string, signal: AbortSignal) => Promise<Uint8Array>;
}

/** Keys are `<jobId>/<index>`; both parts are checked, so a key can never name a path outside the job. */
export const storedImageKey = (jobId: string, index: number): string => `${jobId}/${index}`;

/** Memory storage, for tests and single-process demos. */
export class MemoryImageStorage implements ImageStorage {
  readonly #images = new Map<string, StoredImage>();
  async put(key: string, image: StoredImage): Promise<void> {
    this.#images.set(key, { bytes: image.bytes.slice(), contentType: image.contentType });
  }
  async get(key: string): Promise<StoredImage | undefined> {
    return this.#images.get(key);
  }
  async deleteJob(jobId: string): Promise<void> {
    for (const key of this.#images.keys()) if (key.startsWith(`${jobId}/`)) this.#images.delete(key);
  }
}

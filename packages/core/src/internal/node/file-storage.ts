/**
 * Persisted job images on the filesystem: `<directory>/<jobId>/<index>`, written atomically (a reader never
 * sees half an image). Keys are checked against the job-id format, so a key can never name a path outside.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isJobId } from '../jobs/ids.js';
import type { ImageStorage, PersistOptions, StoredImage } from '../jobs/storage.js';
import { sniffImageType } from '../sniff.js';
import { writeFileAtomic } from './atomic-write.js';
import { type DownloadOptions, downloadImage } from './download.js';

export class FileImageStorage implements ImageStorage {
  readonly directory: string;

  constructor(options: { directory: string }) {
    if (!options?.directory) throw new TypeError('FileImageStorage: `directory` is required');
    this.directory = options.directory;
  }

  async put(key: string, image: StoredImage): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, image.bytes);
  }

  async get(key: string): Promise<StoredImage | undefined> {
    try {
      const bytes = new Uint8Array(await readFile(this.#path(key)));
      return { bytes, contentType: sniffImageType(bytes)?.mime ?? 'application/octet-stream' };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async deleteJob(jobId: string): Promise<void> {
    if (!isJobId(jobId)) return;
    await rm(join(this.directory, jobId), { recursive: true, force: true });
  }

  #path(key: string): string {
    const [jobId, index, ...rest] = key.split('/');
    if (!isJobId(jobId) || !/^\d{1,2}$/.test(index ?? '') || rest.length) throw new TypeError('FileImageStorage: not an image key');
    return join(this.directory, jobId, index!);
  }
}

export interface FilePersistenceOptions {
  /** Where images go. */
  directory: string;
  /** The app's URL for a stored image (the route serves `<route>/jobs/<id>/images/<index>`). */
  url: (jobId: string, index: number) => string;
  /** Options of the SSRF-guarded downloader for URL results (https only and public addresses by default). */
  download?: Omit<DownloadOptions, 'to' | 'signal'>;
}

/** `persist` for `createJobs`: the filesystem, with URL results fetched by the SSRF-guarded `downloadImage`. */
export function createFilePersistence(options: FilePersistenceOptions): PersistOptions {
  return {
    storage: new FileImageStorage({ directory: options.directory }),
    url: options.url,
    download: async (url, signal) => (await downloadImage(url, { ...options.download, signal })) as Uint8Array,
  };
}

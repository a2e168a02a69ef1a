/**
 * Crash-safe file replacement: write a temporary file in the same folder, flush it to disk (fsync), rename it
 * over the target, then flush the folder so the rename itself survives a power loss (where the platform
 * allows: not on Windows, which cannot open a folder for fsync). A reader, or the next run after a crash,
 * sees the old file or the new one, never a half-written one. Temporary names start with `.` and end in
 * `.tmp` (see isAtomicWriteTemp) so callers can clear leftovers of a crash.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP_FILE = /^\..+\.tmp$/;

export interface WriteFileAtomicOptions {
  /** Permissions of a new file (before the umask). Default 0o666, as fs.writeFile. */
  mode?: number;
  /**
   * Flush the file and the folder to disk (default true). `false` for files a rebuild recreates (build
   * output): the file is still never seen half-written under its name, but may be lost to a power cut.
   */
  durable?: boolean;
}

/** True for a file name that writeFileAtomic uses for its temporary files (a leftover of a crash, if found). */
export function isAtomicWriteTemp(fileName: string): boolean {
  return TEMP_FILE.test(fileName);
}

/**
 * Replaces `path` with `data` atomically. `data` may be a function that writes to the open temporary file
 * (to stream a body to disk); if it throws, the temporary file is removed and `path` is left as it was. The
 * folder must exist.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string | ((file: FileHandle) => Promise<void>),
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const durable = options.durable ?? true;
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', options.mode ?? 0o666);
  try {
    if (typeof data === 'function') await data(file);
    else await file.writeFile(data);
    if (durable) await file.sync();
  } catch (error) {
    await file.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
  try {
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  if (durable) await syncFolder(folder);
}

/** Flushes a folder's entries (a rename) to disk; best effort, as not every platform or file system can. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // EISDIR, EINVAL, EPERM on some file systems: the file itself is already in place and flushed.
  } finally {
    await handle?.close().catch(() => {});
  }
}

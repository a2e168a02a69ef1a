/**
 * Crash-safe file replacement: write a temporary file in the same directory, flush it to disk, then rename
 * it over the target. A reader (or the next build after a crash) sees the old file or the new one, never a
 * half-written one. Temporary names start with `.` and end in `.tmp` so prune can clear leftovers.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const TEMP_FILE_PATTERN = /^\..+\.tmp$/;

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

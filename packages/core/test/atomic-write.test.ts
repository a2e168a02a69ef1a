/** writeFileAtomic from @seedream-kit/core/node: the one crash-safe write used by downloadImage and the vite cache. */
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAtomicWriteTemp, writeFileAtomic } from '../src/node.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seedream-atomic-'));
  dirs.push(dir);
  return dir;
}

describe('writeFileAtomic', () => {
  it('replaces the file, leaves no temporary file behind, and the old content in place when a write fails', async () => {
    const dir = await scratch();
    const target = join(dir, 'file.txt');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, new TextEncoder().encode('two'));
    expect(await readdir(dir)).toEqual(['file.txt']);
    expect(await readFile(target, 'utf8')).toBe('two');
    // Renaming over a (non-empty) directory fails: the temporary file is removed, the target untouched.
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'inner'), 'keep');
    await expect(writeFileAtomic(join(dir, 'sub'), 'x')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['file.txt', 'sub']);
    expect(await readFile(join(dir, 'sub', 'inner'), 'utf8')).toBe('keep');
  });

  it('streams through a writer function; a writer that throws leaves the old file and no temporary file', async () => {
    const dir = await scratch();
    const target = join(dir, 'image.png');
    await writeFileAtomic(target, async (file) => {
      await file.write('ab');
      await file.write('cd');
    });
    expect(await readFile(target, 'utf8')).toBe('abcd');
    const failure = new Error('the body broke off');
    await expect(
      writeFileAtomic(target, async (file) => {
        await file.write('half');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await readdir(dir)).toEqual(['image.png']);
    expect(await readFile(target, 'utf8')).toBe('abcd');
  });

  it.skipIf(process.platform === 'win32')('creates files with the given mode (before the umask)', async () => {
    const dir = await scratch();
    await writeFileAtomic(join(dir, 'private'), 'x', { mode: 0o600 });
    expect((await stat(join(dir, 'private'))).mode & 0o777).toBe(0o600);
  });

  it('flushes to disk unless `durable: false` (build output), which still replaces the file atomically', async () => {
    const dir = await scratch();
    const handle = await open(join(dir, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(handle) as { sync(): Promise<void> };
    await handle.close();
    const sync = vi.spyOn(fileHandle, 'sync');
    try {
      await writeFileAtomic(join(dir, 'durable'), 'one');
      const flushes = process.platform === 'win32' ? 1 : 2; // the file, then its folder
      expect(sync).toHaveBeenCalledTimes(flushes);
      await writeFileAtomic(join(dir, 'output.png'), 'two', { durable: false });
      expect(sync).toHaveBeenCalledTimes(flushes);
    } finally {
      sync.mockRestore();
    }
    expect(await readFile(join(dir, 'output.png'), 'utf8')).toBe('two');
    expect((await readdir(dir)).sort()).toEqual(['durable', 'output.png', 'probe']);
  });

  it('names its temporary files so that leftovers can be recognised', () => {
    expect(isAtomicWriteTemp('.image.png.1234-0a1b2c3d.tmp')).toBe(true);
    expect(isAtomicWriteTemp('image.png')).toBe(false);
    expect(isAtomicWriteTemp('.gitignore')).toBe(false);
  });
});

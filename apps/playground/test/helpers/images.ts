/** Small PNG files made with sharp, for the reference-image tests. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export async function makePngFiles(colors: string[]): Promise<{ dir: string; files: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'playground-refs-'));
  const files: string[] = [];
  for (const [index, color] of colors.entries()) {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: color } })
      .png()
      .toBuffer();
    const file = join(dir, `reference-${index + 1}.png`);
    await writeFile(file, png);
    files.push(file);
  }
  return { dir, files };
}

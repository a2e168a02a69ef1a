// Runs one benchmark module in a fresh process and writes its rows as JSON (used by run.mjs).
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [file, out, repeats] = process.argv.slice(2);
try {
  const mod = await import(pathToFileURL(join(import.meta.dirname, file)).href);
  const rows = await mod.run({ repeats: Number(repeats) });
  writeFileSync(out, JSON.stringify({ rows }));
} catch (error) {
  writeFileSync(out, JSON.stringify({ rows: [], error: error?.stack ?? String(error) }));
}
process.exit(0);

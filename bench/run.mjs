#!/usr/bin/env node
// `pnpm bench`: runs every bench/<name>.mjs in its own process (so one cannot skew another's memory or
// leave handles behind), then prints one table and writes bench/results.json.
// Every figure is a ratio against a baseline measured in the same run; see each file for its method.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const skip = new Set(['run.mjs', 'run-one.mjs', 'load.mjs']);
const only = process.argv.slice(2);
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !skip.has(f))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const rows = [];
const scratch = mkdtempSync(join(tmpdir(), 'seedream-bench-'));
for (const file of files) {
  const out = join(scratch, `${file}.json`);
  const started = Date.now();
  process.stderr.write(`bench: ${file} … `);
  const child = spawnSync(process.execPath, ['--expose-gc', join(here, 'run-one.mjs'), file, out, String(repeats)], {
    cwd: here,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    timeout: 5 * 60_000,
  });
  process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  let result;
  try {
    result = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    result = { rows: [], error: child.error?.message ?? `exited with ${child.status ?? child.signal}` };
  }
  if (result.error) rows.push({ file, name: `${file}: did not run`, ok: false, note: String(result.error).slice(0, 200) });
  for (const row of result.rows) rows.push({ file, ...row });
}
rmSync(scratch, { recursive: true, force: true });

const fmt = (n) => (typeof n !== 'number' || !Number.isFinite(n) ? '' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
const table = [
  ['benchmark', 'value', 'baseline', 'ratio', 'target', ''],
  ...rows.map((r) => [
    r.name,
    r.value === undefined ? '' : `${fmt(r.value)} ${r.unit ?? ''}`.trim(),
    r.baseline === undefined ? '' : `${fmt(r.baseline)} ${r.unit ?? ''} (${r.baselineName ?? 'baseline'})`.trim(),
    r.ratio === undefined ? '' : `${fmt(r.ratio)}×`,
    r.target ?? '',
    r.ok === false ? '✗ MISSED' : r.ok === true ? '✓' : '',
  ]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
const line = (row) => `| ${row.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(table[0]));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table.slice(1)) console.log(line(row));
const notes = rows.filter((r) => r.note);
if (notes.length) {
  console.log('\nNotes:');
  for (const r of notes) console.log(`- ${r.name}: ${r.note}`);
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  platform: process.platform,
  arch: process.arch,
};
writeFileSync(join(here, 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, machine, repeats, rows }, null, 2)}\n`);
console.log(
  `\n${rows.filter((r) => r.ok === true).length} of ${rows.filter((r) => r.ok !== undefined).length} figures with a target meet it (${rows.length} rows in all, comparisons included); medians of ${repeats} runs; written to bench/results.json`,
);

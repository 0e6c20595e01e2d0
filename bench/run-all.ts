// Runs every benchmark under bench/ (files named *.bench.ts), one after the other, each in its own process so
// that peak-RSS figures are its own. Each benchmark prints its figures, its references' figures measured in the
// same run, and the ratios (DESIGN.md 7: only same-run ratios count on this shared machine).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const benches = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();
if (benches.length === 0) {
  process.stderr.write(`no benchmark matches ${only.join(', ') || '*.bench.ts'} in ${dir}\n`);
  process.exit(2);
}
process.stdout.write(
  `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
);
let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench} ===\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, bench)], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);

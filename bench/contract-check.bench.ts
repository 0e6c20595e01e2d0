/**
 * Contract-check benchmark (DESIGN.md section 7): the streaming validator with every check and the profile on,
 * against DuckDB running the same checks in one SQL query, and against udsv, papaparse and csv-parse merely parsing,
 * all on the same file in the same run. Every contestant runs in its own child process, so that peak RSS is its own;
 * the validator runs from an esbuild bundle, as in Lambda (no TypeScript loader in the measured process).
 *
 *   npm run bench:contract                        # 512 MiB CSV (generated once into bench/.data/)
 *   CONTRACT_BENCH_MB=64 npm run bench:contract   # a quick run
 *
 * Also prints figures for JSON Lines, Parquet and gzip (smaller derived files, same rows and contract).
 */
import { runChild } from './child-process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { BENCH_COLUMNS, benchPlan, generateCsv } from './generate-csv';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.join(HERE, '.data');

/** What a child reports. */
interface Measurement {
  seconds: number;
  rows: number;
  maxRssMb: number;
  detail?: Record<string, number | string>;
}

// ---- child side: one contestant, one file --------------------------------------------------------------------

const SEGMENTS = "('consumer','smb','enterprise','public')";
/** The benchmark contract's checks in one DuckDB query over all-VARCHAR columns (TRY_CAST: bad values count). */
const duckSql = (reader: string) => `SELECT count(*) AS rows,
  count(*) FILTER (WHERE id IS NULL) AS "id.nullValues",
  count(id) - count(DISTINCT id) AS "id.duplicateValues",
  count(*) FILTER (WHERE id IS NOT NULL AND TRY_CAST(id AS BIGINT) IS NULL) AS "id.invalidValues",
  count(*) FILTER (WHERE customer_id IS NULL) AS "customer_id.nullValues",
  count(*) FILTER (WHERE customer_id IS NOT NULL AND NOT regexp_full_match(customer_id, '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')) AS "customer_id.invalidValues",
  count(*) FILTER (WHERE email IS NULL) AS "email.nullValues",
  count(*) FILTER (WHERE email IS NOT NULL AND NOT regexp_full_match(email, '[^@\\s]+@[^@\\s]+\\.[a-z]+')) AS "email.invalidValues",
  count(*) FILTER (WHERE age IS NOT NULL AND coalesce(TRY_CAST(age AS BIGINT) NOT BETWEEN 0 AND 120, true)) AS "age.invalidValues",
  count(*) FILTER (WHERE amount IS NOT NULL AND coalesce(TRY_CAST(amount AS DOUBLE) NOT BETWEEN 0 AND 10000, true)) AS "amount.invalidValues",
  count(*) FILTER (WHERE score IS NULL) AS "score.nullValues",
  count(*) FILTER (WHERE score IS NOT NULL AND coalesce(TRY_CAST(score AS DOUBLE) NOT BETWEEN 0 AND 1, true)) AS "score.invalidValues",
  count(*) FILTER (WHERE country IS NOT NULL AND length(country) NOT BETWEEN 2 AND 2) AS "country.invalidValues",
  count(*) FILTER (WHERE active IS NOT NULL AND TRY_CAST(active AS BOOLEAN) IS NULL) AS "active.invalidValues",
  count(*) FILTER (WHERE signup_date IS NOT NULL AND coalesce(TRY_CAST(signup_date AS DATE) NOT BETWEEN DATE '2010-01-01' AND DATE '2030-12-31', true)) AS "signup_date.invalidValues",
  count(*) FILTER (WHERE created_at IS NOT NULL AND TRY_CAST(created_at AS TIMESTAMP) IS NULL) AS "created_at.invalidValues",
  count(*) FILTER (WHERE segment IS NOT NULL AND segment NOT IN ${SEGMENTS}) AS "segment.invalidValues",
  count(*) FILTER (WHERE comment IS NOT NULL AND length(comment) > 200) AS "comment.invalidValues"
FROM ${reader}`;

/**
 * Peak RSS of this process image: VmHWM (reset by exec, unlike getrusage's maxrss, which a spawned child inherits
 * from its parent on Linux), else getrusage.
 */
function maxRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

function isParser(value: unknown): value is { parse: (input: NodeJS.ReadableStream, config: object) => void } {
  return typeof value === 'object' && value !== null && 'parse' in value && typeof value.parse === 'function';
}

async function child(mode: string, file: string, arg: string | undefined): Promise<Measurement> {
  const started = performance.now();
  const done = (rows: number, detail?: Record<string, number | string>): Measurement => ({
    seconds: (performance.now() - started) / 1000,
    rows,
    maxRssMb: maxRssMb(),
    ...(detail === undefined ? {} : { detail }),
  });
  switch (mode) {
    case 'validate': {
      const { validateStream } = await import('../functions/contracts/validate-stream');
      const { fileSource } = await import('../functions/contracts/byte-source');
      const t = performance.now();
      // `arg` is the number of workers, or `workers:rangesPerWorker`.
      const [workers, ranges] = (arg ?? '1').split(':').map(Number);
      const report = await validateStream(benchPlan(), fileSource(file), {
        workers: workers ?? 1,
        minParallelBytes: 0,
        ...(ranges === undefined ? {} : { rangesPerWorker: ranges }),
      });
      const detail: Record<string, number | string> = { status: report.status, workers: report.workers };
      for (const c of report.checks)
        if (typeof c.observed === 'number' && c.metric !== 'columnPresent') detail[c.id] = c.observed;
      if (report.rejectionReason !== undefined) detail.reason = report.rejectionReason;
      const m = done(report.rows, detail);
      return { ...m, seconds: (performance.now() - t) / 1000 };
    }
    case 'duckdb': {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const db = await DuckDBInstance.create(':memory:', { threads: arg ?? '2' });
      const connection = await db.connect();
      const reader = file.endsWith('.parquet')
        ? `read_parquet('${file}')`
        : `read_csv('${file}', all_varchar = true, header = true)`;
      const t = performance.now();
      const result = await connection.runAndReadAll(duckSql(reader));
      const seconds = (performance.now() - t) / 1000;
      const row = result.getRowObjectsJson()[0] ?? {};
      const detail: Record<string, number | string> = {};
      for (const [k, v] of Object.entries(row)) detail[k] = Number(v);
      return { seconds, rows: Number(row.rows), maxRssMb: maxRssMb(), detail };
    }
    case 'udsv': {
      const { inferSchema, initParser } = await import('udsv');
      let parser: ReturnType<typeof initParser> | null = null;
      let rows = 0;
      for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
        const text = String(chunk);
        parser ??= initParser(inferSchema(text));
        parser.chunk<string[]>(text, parser.stringArrs, () => {
          rows++;
        });
      }
      parser?.end();
      return done(rows);
    }
    case 'papaparse': {
      const papa: unknown = createRequire(import.meta.url)('papaparse');
      if (!isParser(papa)) throw new Error('papaparse has no parse()');
      let rows = 0;
      await new Promise<void>((resolve, reject) => {
        papa.parse(fs.createReadStream(file, { highWaterMark: 1 << 20 }), {
          step: () => {
            rows++;
          },
          complete: () => resolve(),
          error: (e: Error) => reject(e),
        });
      });
      return done(rows - 1);
    }
    case 'csv-parse': {
      const { parse } = await import('csv-parse');
      let rows = 0;
      const parser = fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse({ relax_quotes: false }));
      for await (const _record of parser) rows++;
      return done(rows - 1);
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

// ---- parent side -------------------------------------------------------------------------------------------------

const BUNDLE = path.join(DATA, 'bundle');

/** Bundles this benchmark and the worker with esbuild (packages stay external), as the Lambda bundle would be built. */
async function bundle(): Promise<string> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: {
      'contract-check': path.join(HERE, 'contract-check.bench.ts'),
      'validation-worker': path.join(HERE, '../functions/contracts/validation-worker.ts'),
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: BUNDLE,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  return path.join(BUNDLE, 'contract-check.mjs');
}

function measure(script: string, mode: string, file: string, arg?: string): Measurement {
  return runChild(script, mode, [file, arg], isMeasurement, 600_000);
}

function isMeasurement(value: unknown): value is Measurement {
  return (
    typeof value === 'object' &&
    value !== null &&
    'seconds' in value &&
    typeof value.seconds === 'number' &&
    'rows' in value &&
    typeof value.rows === 'number' &&
    'maxRssMb' in value &&
    typeof value.maxRssMb === 'number'
  );
}

const mbps = (bytes: number, m: Measurement) => bytes / 1e6 / m.seconds;

async function derived(csv: string, rows: number): Promise<{ jsonl: string; parquet: string; gzip: string }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const base = csv.replace(/\.csv$/, '');
  const jsonl = `${base}-${rows}.jsonl`;
  const parquet = `${base}-${rows}.parquet`;
  const gzip = `${base}-${rows}.csv.gz`;
  const sample = `${base}-${rows}.csv`;
  if (![jsonl, parquet, gzip].every((f) => fs.existsSync(f))) {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const src = `(SELECT * FROM read_csv('${csv}', all_varchar = true, header = true) LIMIT ${rows})`;
    await c.run(`COPY ${src} TO '${sample}' (HEADER, DELIMITER ',')`);
    // Typed columns for JSON Lines and Parquet (numbers as numbers), bad values as NULL.
    const typed = `(SELECT TRY_CAST(id AS BIGINT) AS id, customer_id, email, TRY_CAST(age AS BIGINT) AS age,
      TRY_CAST(amount AS DOUBLE) AS amount, TRY_CAST(score AS DOUBLE) AS score, country, TRY_CAST(active AS BOOLEAN) AS active,
      signup_date, created_at, segment, comment FROM ${src})`;
    await c.run(`COPY ${typed} TO '${jsonl}' (FORMAT json)`);
    await c.run(`COPY ${typed} TO '${parquet}' (FORMAT parquet, COMPRESSION snappy)`);
    await pipeline(fs.createReadStream(sample), createGzip({ level: 6 }), fs.createWriteStream(gzip));
    fs.rmSync(sample);
  }
  return { jsonl, parquet, gzip };
}

async function main(): Promise<void> {
  const mb = Number(process.env.CONTRACT_BENCH_MB ?? '512');
  fs.mkdirSync(DATA, { recursive: true });
  const file = path.join(DATA, `contract-check-${mb}mb.csv`);
  if (!fs.existsSync(file)) {
    const t = performance.now();
    const g = generateCsv(file, mb * 1024 * 1024);
    process.stdout.write(`generated ${file}: ${g.rows} rows in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  const size = fs.statSync(file).size;
  const script = await bundle();
  const cores = os.availableParallelism();
  const checks = benchPlan().checks.length;
  process.stdout.write(
    `contract check: ${(size / 1e6).toFixed(0)} MB CSV, ${BENCH_COLUMNS.length} columns, ${checks} checks + profile; ` +
      `${cores} cores, ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n\n`,
  );
  const rows: [string, Measurement, number][] = [];
  const run = (label: string, mode: string, target: string, arg?: string) => {
    const m = measure(script, mode, target, arg);
    const bytes = fs.statSync(target).size;
    rows.push([label, m, bytes]);
    process.stdout.write(
      `${label.padEnd(38)} ${mbps(bytes, m).toFixed(1).padStart(7)} MB/s ${m.seconds.toFixed(2).padStart(7)} s ` +
        `${String(m.rows).padStart(9)} rows  peak RSS ${m.maxRssMb.toFixed(0).padStart(5)} MB\n`,
    );
    return m;
  };
  const one = run('validator, 1 thread', 'validate', file, '1');
  const workers = Math.max(2, Math.min(cores, 4));
  const parallel = run(`validator, ${workers} worker threads`, 'validate', file, String(workers));
  run(`validator, ${workers} workers, 4 ranges each`, 'validate', file, `${workers}:4`);
  const duck = run(`DuckDB (same checks, ${cores} threads)`, 'duckdb', file, String(cores));
  const udsv = run('udsv (parse only)', 'udsv', file);
  const papa = run('papaparse (parse only)', 'papaparse', file);
  const csvParse = run('csv-parse (parse only)', 'csv-parse', file);

  const best = parallel.seconds < one.seconds ? parallel : one;
  const ratio = (a: Measurement, b: Measurement) => (b.seconds / a.seconds).toFixed(2);
  process.stdout.write(
    `\nratios (validator, best of 1 thread and ${workers} workers):\n` +
      `  vs DuckDB with the checks  ${ratio(best, duck)}x   (target >= 2x; 1 thread ${ratio(one, duck)}x)\n` +
      `  vs udsv parsing            ${ratio(best, udsv)}x   (target >= 1.3x; 1 thread ${ratio(one, udsv)}x)\n` +
      `  vs papaparse parsing       ${ratio(best, papa)}x\n` +
      `  vs csv-parse parsing       ${ratio(best, csvParse)}x\n` +
      `  peak RSS                   ${Math.max(one.maxRssMb, parallel.maxRssMb).toFixed(0)} MB (target < 256 MB; DuckDB ${duck.maxRssMb.toFixed(0)} MB)\n`,
  );
  // The same verdicts: every count the two engines share must agree.
  const disagreements = Object.entries(duck.detail ?? {}).filter(([k, v]) => {
    const ours = k === 'rows' ? one.rows : one.detail?.[k];
    return ours !== undefined && ours !== v;
  });
  process.stdout.write(
    disagreements.length === 0
      ? `  counts: the validator and DuckDB agree on all ${Object.keys(duck.detail ?? {}).length} figures\n`
      : `  counts DIFFER: ${disagreements.map(([k, v]) => `${k} duckdb=${v} ours=${one.detail?.[k]}`).join(', ')}\n`,
  );

  const sampleRows = Math.min(one.rows, Math.max(100_000, Math.round(one.rows / 4)));
  const other = await derived(file, sampleRows);
  process.stdout.write(`\nother formats (${sampleRows} rows of the same data):\n`);
  run('JSON Lines, 1 thread', 'validate', other.jsonl, '1');
  run(`JSON Lines, ${workers} worker threads`, 'validate', other.jsonl, String(workers));
  run('Parquet (snappy), 1 thread', 'validate', other.parquet, '1');
  run('DuckDB on the Parquet file', 'duckdb', other.parquet, String(cores));
  run('CSV gzip (one pass), MB/s of compressed', 'validate', other.gzip, '1');
}

if (process.argv[2] === '--child') {
  const m = await child(process.argv[3] ?? '', process.argv[4] ?? '', process.argv[5]);
  process.stdout.write(`${JSON.stringify(m)}\n`);
  // DuckDB's and the workers' native threads must not keep the process alive.
  process.exit(0);
} else {
  await main();
}

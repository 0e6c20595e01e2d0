/**
 * Live-evaluation benchmark (DESIGN.md section 7): 1M captured inferences joined with their ground truth, every
 * binary metric with its interval and the drift of 7 features against the training profile, as `mlops evaluate`
 * runs it (one thread), against two references on the same files in the same run:
 *
 * - a plain `readline` + `JSON.parse` pass over every line (what a straightforward Node script would start with);
 * - DuckDB (`read_json` over the same folders, on every core) doing the same join, de-duplication, ROC AUC and
 *   accuracy in SQL (no intervals, no drift: less work than ours).
 *
 * Each contestant runs in its own child process from an esbuild bundle (no TypeScript loader in the measured
 * process), so that peak RSS is its own and the generator's memory does not count.
 *
 *   npm run bench:evaluate                               # 1,000,000 records
 *   EVALUATE_BENCH_RECORDS=200000 npm run bench:evaluate # a quick run
 */
import { runChild } from './child-process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FEATURES, generateEvaluationData } from './generate-evaluation-data';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BUNDLE = path.join(HERE, '.data', 'bundle');

/** What a child reports. */
interface Measurement {
  seconds: number;
  /** CPU seconds (user + system) of the measured part: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  maxRssMb: number;
  detail: Record<string, number | string>;
}

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

function jsonlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsonlFiles(full));
    else if (entry.name.endsWith('.jsonl')) out.push(full);
  }
  return out.sort();
}

const PAYLOAD = 'STRUCT(observedContentType VARCHAR, mode VARCHAR, data VARCHAR, encoding VARCHAR)';
const CAPTURE_COLUMNS = `{captureData: 'STRUCT(endpointInput ${PAYLOAD}, endpointOutput ${PAYLOAD})', eventMetadata: 'STRUCT(eventId VARCHAR, inferenceId VARCHAR, inferenceTime VARCHAR)', eventVersion: 'VARCHAR'}`;
const TRUTH_COLUMNS = `{groundTruthData: 'STRUCT(data VARCHAR, encoding VARCHAR)', eventMetadata: 'STRUCT(eventId VARCHAR)', eventVersion: 'VARCHAR'}`;

/** The join (first capture and first label of a key win), ROC AUC by average ranks, and accuracy at 0.5, in SQL. */
const duckSql = (captureGlob: string, truthGlob: string) => `
WITH cap AS (
  SELECT coalesce(eventMetadata.inferenceId, eventMetadata.eventId) AS id,
         TRY_CAST(captureData.endpointOutput.data AS DOUBLE) AS score, filename, row_number() OVER () AS n
  FROM read_json('${captureGlob}', format = 'newline_delimited', ignore_errors = true, filename = true, columns = ${CAPTURE_COLUMNS})
), captured AS (
  SELECT id, arg_min(score, n) AS score FROM cap WHERE id IS NOT NULL GROUP BY id
), gt AS (
  SELECT eventMetadata.eventId AS id, TRY_CAST(groundTruthData.data AS INTEGER) AS label, row_number() OVER () AS n
  FROM read_json('${truthGlob}', format = 'newline_delimited', ignore_errors = true, columns = ${TRUTH_COLUMNS})
), labels AS (
  SELECT id, arg_min(label, n) AS label FROM gt WHERE id IS NOT NULL GROUP BY id
), joined AS (
  SELECT score, label FROM captured JOIN labels USING (id) WHERE score IS NOT NULL AND label IN (0, 1)
), ranked AS (
  SELECT score, label, rank() OVER (ORDER BY score) + (count(*) OVER (PARTITION BY score) - 1) / 2.0 AS midrank
  FROM joined
)
SELECT (SELECT count(*) FROM captured) AS samples, count(*) AS matched,
  (sum(midrank) FILTER (WHERE label = 1) - sum(label) * (sum(label) + 1) / 2.0) / (sum(label) * (count(*) - sum(label))) AS roc_auc,
  avg(CASE WHEN (score >= 0.5) = (label = 1) THEN 1.0 ELSE 0.0 END) AS accuracy
FROM ranked`;

// ---- child side: one contestant ------------------------------------------------------------------------------

async function child(mode: string, dir: string, arg: string | undefined): Promise<Measurement> {
  const m = await contestant(mode, dir, arg);
  return { ...m, cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6 - cpuAtStart };
}

let cpuAtStart = 0;
/** Marks the start of the measured part. */
function start(): number {
  const usage = process.cpuUsage();
  cpuAtStart = (usage.user + usage.system) / 1e6;
  return performance.now();
}

async function contestant(
  mode: string,
  dir: string,
  arg: string | undefined,
): Promise<Omit<Measurement, 'cpuSeconds'>> {
  const capture = path.join(dir, 'capture');
  const truth = path.join(dir, 'ground-truth');
  switch (mode) {
    case 'evaluate': {
      const { runOfflineEvaluation } = await import('../cli/commands/evaluate');
      const { parseDatasetProfile } = await import('../functions/contracts/contract-report');
      const baseline = parseDatasetProfile(JSON.parse(fs.readFileSync(path.join(dir, 'profile.json'), 'utf8')));
      const started = start();
      const report = await runOfflineEvaluation({
        captureDir: capture,
        groundTruthDir: truth,
        problemType: 'binary',
        baseline,
        features: FEATURES,
        target: 'churned',
        outcome: {
          minSamples: 200,
          drift: { psiThreshold: 0.2, ksPValue: 0.001, consecutiveWindows: 1 },
          onDegradation: 'notify',
          onDrift: 'notify',
        },
      });
      const seconds = (performance.now() - started) / 1000;
      const monthly = report.drift?.features.find((f) => f.feature === 'monthly_charges');
      return {
        seconds,
        maxRssMb: maxRssMb(),
        detail: {
          samples: report.samples,
          matched: report.matched,
          roc_auc: report.metrics.roc_auc ?? NaN,
          accuracy: report.metrics.accuracy ?? NaN,
          duplicates: report.counts.capture.duplicates,
          unparseable: report.counts.capture.unparseable,
          labelsWithoutCapture: report.counts.labelsWithoutCapture,
          monthlyChargesPsi: monthly?.psi ?? NaN,
          monthlyChargesKs: monthly?.ks ?? NaN,
          verdict: report.verdict,
        },
      };
    }
    case 'readline': {
      const started = start();
      let lines = 0;
      let objects = 0;
      for (const file of [...jsonlFiles(capture), ...jsonlFiles(truth)]) {
        const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
        for await (const line of rl) {
          lines++;
          try {
            if (typeof JSON.parse(line) === 'object') objects++;
          } catch {
            // an unparseable line, counted by what it is not
          }
        }
      }
      return { seconds: (performance.now() - started) / 1000, maxRssMb: maxRssMb(), detail: { lines, objects } };
    }
    case 'duckdb': {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const db = await DuckDBInstance.create(':memory:', { threads: arg ?? '2' });
      const connection = await db.connect();
      const started = start();
      const result = await connection.runAndReadAll(duckSql(`${capture}/**/*.jsonl`, `${truth}/**/*.jsonl`));
      const seconds = (performance.now() - started) / 1000;
      const row = result.getRowObjectsJson()[0] ?? {};
      const detail: Record<string, number> = {};
      for (const [k, v] of Object.entries(row)) detail[k] = Number(v);
      return { seconds, maxRssMb: maxRssMb(), detail };
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

// ---- parent side ---------------------------------------------------------------------------------------------

/** Bundles this benchmark with esbuild (DuckDB stays external: it is native), as a Lambda bundle would be built. */
async function bundle(): Promise<string> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: { evaluate: path.join(HERE, 'evaluate.bench.ts') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@duckdb/node-api', 'esbuild'],
    // Bundled CommonJS packages (commander, ...) call require(): give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    outdir: BUNDLE,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  return path.join(BUNDLE, 'evaluate.mjs');
}

function measure(script: string, mode: string, dir: string, arg?: string): Measurement {
  return runChild(script, mode, [dir, arg], isMeasurement, 900_000);
}

function isMeasurement(value: unknown): value is Measurement {
  return (
    typeof value === 'object' &&
    value !== null &&
    'seconds' in value &&
    typeof value.seconds === 'number' &&
    'cpuSeconds' in value &&
    typeof value.cpuSeconds === 'number' &&
    'maxRssMb' in value &&
    typeof value.maxRssMb === 'number' &&
    'detail' in value &&
    typeof value.detail === 'object'
  );
}

/** The training profile, made by the contract check itself from the generated training CSV. */
async function writeProfile(trainingCsv: string, file: string): Promise<void> {
  const { fileSource } = await import('../functions/contracts/byte-source');
  const { loadContract } = await import('../functions/contracts/odcs-contract');
  const { validateStream } = await import('../functions/contracts/validate-stream');
  const contract = path.join(HERE, '../pipelines/churn/contract.yaml');
  const plan = loadContract(fs.readFileSync(contract, 'utf8'), contract).plan;
  const report = await validateStream(plan, fileSource(trainingCsv));
  if (report.status !== 'accepted') throw new Error(`the training data was rejected: ${report.rejectionReason ?? ''}`);
  fs.writeFileSync(file, JSON.stringify(report.profile));
}

async function main(): Promise<void> {
  const records = Number(process.env.EVALUATE_BENCH_RECORDS ?? '1000000');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-evaluate-bench-'));
  try {
    let t = performance.now();
    const data = generateEvaluationData(dir, records);
    await writeProfile(data.trainingCsv, path.join(dir, 'profile.json'));
    const mb = (data.captureBytes + data.groundTruthBytes) / 1e6;
    process.stdout.write(
      `generated in ${((performance.now() - t) / 1000).toFixed(1)} s: ${data.captureRecords} captured records ` +
        `(${data.captureFiles} files, ${(data.captureBytes / 1e6).toFixed(0)} MB; ${data.duplicates} duplicates, ` +
        `${data.unparseable} unparseable) and ${data.groundTruthRecords} label records ` +
        `(${data.groundTruthFiles} files, ${(data.groundTruthBytes / 1e6).toFixed(0)} MB; ${data.missingLabels} missing, ` +
        `${data.orphanLabels} without capture, ${data.duplicateLabels} duplicates)\n`,
    );
    t = performance.now();
    const script = await bundle();
    const cores = os.availableParallelism();
    process.stdout.write(
      `bundled in ${((performance.now() - t) / 1000).toFixed(1)} s; ${cores} cores, ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n\n`,
    );
    const run = (label: string, mode: string, arg?: string) => {
      const m = measure(script, mode, dir, arg);
      process.stdout.write(
        `${label.padEnd(46)} ${m.seconds.toFixed(2).padStart(6)} s (CPU ${m.cpuSeconds.toFixed(2).padStart(5)} s) ` +
          `${(mb / m.seconds).toFixed(0).padStart(5)} MB/s  ` +
          `peak RSS ${m.maxRssMb.toFixed(0).padStart(5)} MB\n`,
      );
      return m;
    };
    const ours = run('mlops evaluate (join, metrics + CIs, drift), 1 thread', 'evaluate');
    const plain = run('readline + JSON.parse (parse only), 1 thread', 'readline');
    const duck = run(`DuckDB (join, AUC, accuracy), ${cores} threads`, 'duckdb', String(cores));

    const ratio = (a: Measurement, b: Measurement) => (b.seconds / a.seconds).toFixed(2);
    process.stdout.write(
      `\nratios (higher: ours faster):\n` +
        `  vs DuckDB                  ${ratio(ours, duck)}x   (target >= 1x)\n` +
        `  vs readline + JSON.parse   ${ratio(ours, plain)}x\n` +
        `  time                       ${ours.seconds.toFixed(2)} s (target < 15 s)\n` +
        `  peak RSS                   ${ours.maxRssMb.toFixed(0)} MB (target < 400 MB; DuckDB ${duck.maxRssMb.toFixed(0)} MB)\n`,
    );
    const d = ours.detail;
    process.stdout.write(
      `\nours:   ${JSON.stringify(d)}\nDuckDB: ${JSON.stringify(duck.detail)}\n` +
        `readline: ${JSON.stringify(plain.detail)}\n`,
    );
    const agree =
      d.samples === duck.detail.samples &&
      d.matched === duck.detail.matched &&
      Math.abs(Number(d.roc_auc) - Number(duck.detail.roc_auc)) < 1e-9 &&
      Math.abs(Number(d.accuracy) - Number(duck.detail.accuracy)) < 1e-9;
    process.stdout.write(
      agree
        ? '  figures: ours and DuckDB agree on samples, matched, ROC AUC and accuracy\n'
        : '  figures DIFFER between ours and DuckDB (see above)\n',
    );
    const expectedSamples = data.captureRecords;
    if (d.samples !== expectedSamples || d.duplicates !== data.duplicates || d.unparseable !== data.unparseable) {
      process.stdout.write(
        `  counts DIFFER from the generator: ${expectedSamples} records, ${data.duplicates} duplicates\n`,
      );
      process.exitCode = 1;
    }
    if (!agree) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const m = await child(process.argv[3] ?? '', process.argv[4] ?? '', process.argv[5]);
  process.stdout.write(`${JSON.stringify(m)}\n`);
  // DuckDB's native threads must not keep the process alive.
  process.exit(0);
} else {
  await main();
}

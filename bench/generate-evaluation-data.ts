/**
 * Generates the live-evaluation benchmark's data, seeded: a churn-like binary model behind an endpoint with two
 * variants, its data capture (CSV payloads with the 7 features of pipelines/churn, 3 of them categorical) in hourly
 * S3-layout folders, its ground truth (collected later, in shuffled order, some missing, some duplicated, some with
 * no capture), a few duplicated capture records and unparseable lines, and the training CSV the baseline profile is
 * built from. The live traffic drifts a little from training (monthly charges up, more month-to-month contracts).
 *
 * Run alone: `node --import tsx bench/generate-evaluation-data.ts <dir> [records]`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A small, fast deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The model's input features, in request order (pipelines/churn's contract less id, date and label). */
export const FEATURES = [
  'tenure_months',
  'monthly_charges',
  'total_charges',
  'contract_type',
  'payment_method',
  'support_calls',
  'plan',
] as const;

const CONTRACTS = ['month-to-month', 'one-year', 'two-year'];
const PAYMENTS = ['credit card', 'bank transfer', 'electronic check'];
const PLANS = ['basic', 'standard', 'premium'];

/** What was generated, with the true figures the evaluation must find. */
export interface EvaluationData {
  readonly dir: string;
  readonly captureDir: string;
  readonly groundTruthDir: string;
  readonly trainingCsv: string;
  readonly captureRecords: number;
  readonly captureFiles: number;
  readonly captureBytes: number;
  readonly groundTruthRecords: number;
  readonly groundTruthFiles: number;
  readonly groundTruthBytes: number;
  readonly duplicates: number;
  readonly unparseable: number;
  readonly missingLabels: number;
  readonly orphanLabels: number;
  readonly duplicateLabels: number;
}

interface Customer {
  tenure: number;
  monthly: number;
  contract: number;
  payment: number;
  calls: number;
  plan: number;
  label: number;
  score: number;
}

function customer(random: () => number, live: boolean): Customer {
  const tenure = Math.floor(random() * 72);
  const monthly = Math.round((20 + random() * 80) * (live ? 1.06 : 1) * 100) / 100;
  const c = random();
  const contract = live ? (c < 0.6 ? 0 : c < 0.82 ? 1 : 2) : c < 0.5 ? 0 : c < 0.78 ? 1 : 2;
  const payment = Math.floor(random() * 3);
  let calls = 0;
  while (random() < 0.45 && calls < 12) calls++;
  const plan = Math.floor(random() * 3);
  const logit = -1.2 + (contract === 0 ? 1.1 : 0) - 0.035 * tenure + 0.3 * calls + 0.012 * (monthly - 60);
  const label = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  // The model sees a noisy version of the truth: AUC around 0.8.
  const score = 1 / (1 + Math.exp(-(logit + (random() - 0.5) * 2.2)));
  return { tenure, monthly, contract, payment, calls, plan, label, score };
}

function featuresCsv(c: Customer): string {
  const total = c.tenure === 0 ? '' : (c.monthly * c.tenure).toFixed(2);
  return `${c.tenure},${c.monthly.toFixed(2)},${total},${CONTRACTS[c.contract]},${PAYMENTS[c.payment]},${c.calls},${PLANS[c.plan]}`;
}

const hex = (random: () => number, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
  return s;
};
const uuid = (random: () => number) =>
  `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Writes lines to a file through one buffer. */
class LineWriter {
  private readonly fd: number;
  private readonly out = Buffer.allocUnsafe(4 << 20);
  private used = 0;
  public bytes = 0;
  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'w');
  }
  line(text: string): void {
    if (this.used + text.length * 3 + 1 > this.out.length) this.flush();
    this.used += this.out.write(text, this.used, 'utf8');
    this.out[this.used++] = 10;
  }
  flush(): void {
    fs.writeSync(this.fd, this.out, 0, this.used);
    this.bytes += this.used;
    this.used = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** The training data the baseline profile is made from: pipelines/churn's columns, with a header. */
function writeTraining(file: string, rows: number, random: () => number): void {
  const w = new LineWriter(file);
  w.line(
    'customer_id,snapshot_date,tenure_months,monthly_charges,total_charges,contract_type,payment_method,support_calls,plan,churned',
  );
  for (let i = 0; i < rows; i++) {
    const c = customer(random, false);
    w.line(`${uuid(random)},2026-10-01,${featuresCsv(c)},${c.label}`);
  }
  w.close();
}

/**
 * Writes `records` captured inferences over 24 hours (24 x 2 files per variant-hour) and their ground truth into
 * `dir`, plus a training CSV of `trainingRows` rows.
 */
export function generateEvaluationData(
  dir: string,
  records = 1_000_000,
  trainingRows = 200_000,
  seed = 7,
): EvaluationData {
  const random = prng(seed);
  const captureDir = path.join(dir, 'capture');
  const groundTruthDir = path.join(dir, 'ground-truth');
  const trainingCsv = path.join(dir, 'training.csv');
  writeTraining(trainingCsv, trainingRows, random);

  const hours = 24;
  const filesPerHour = 2;
  const start = Date.UTC(2026, 10, 21, 0, 0, 0);
  const perFile = Math.ceil(records / (hours * filesPerHour));
  const labels: string[] = [];
  let captureBytes = 0;
  let captureFiles = 0;
  let duplicates = 0;
  let unparseable = 0;
  let missingLabels = 0;
  let written = 0;
  let previousLine = '';
  for (let h = 0; h < hours; h++) {
    for (let f = 0; f < filesPerHour; f++) {
      const hourStart = start + h * 3_600_000;
      const folder = (variant: string) => path.join(captureDir, 'churn-endpoint', variant, hourPathOf(hourStart));
      const name = `${pad(f * 30)}-00-000-${uuid(random)}.jsonl`;
      const writers = {
        Primary: new LineWriter(path.join(folder('Primary'), name)),
        Canary: new LineWriter(path.join(folder('Canary'), name)),
      };
      for (let i = 0; i < perFile && written < records; i++, written++) {
        const c = customer(random, true);
        const t = new Date(hourStart + f * 1_800_000 + Math.floor(random() * 1_800_000));
        const inferenceId = `req-${pad(written, 7)}`;
        const line =
          `{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"${featuresCsv(c)}","encoding":"CSV"},` +
          `"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"${c.score.toFixed(6)}","encoding":"CSV"}},` +
          `"eventMetadata":{"eventId":"${uuid(random)}","inferenceId":"${inferenceId}","inferenceTime":"${t.toISOString().replace('.000Z', 'Z')}"},"eventVersion":"0"}`;
        const w = random() < 0.1 ? writers.Canary : writers.Primary;
        w.line(line);
        // SageMaker may deliver a record twice: about 0.5 % of them here.
        if (random() < 0.005) {
          w.line(line);
          duplicates++;
        }
        if (random() < 0.00002 && previousLine !== '') {
          w.line(previousLine.slice(0, Math.floor(previousLine.length / 2)));
          unparseable++;
        }
        previousLine = line;
        // 5 % of the labels never arrive.
        if (random() < 0.05) missingLabels++;
        else
          labels.push(
            `{"groundTruthData":{"data":"${c.label}","encoding":"CSV"},"eventMetadata":{"eventId":"${inferenceId}"},"eventVersion":"0"}`,
          );
      }
      for (const w of Object.values(writers)) {
        w.close();
        captureBytes += w.bytes;
        captureFiles++;
      }
    }
  }
  // Labels with no capture, and labels sent twice.
  let orphanLabels = 0;
  let duplicateLabels = 0;
  const orphans = Math.floor(records * 0.002);
  for (let i = 0; i < orphans; i++, orphanLabels++) {
    labels.push(
      `{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"orphan-${i}"},"eventVersion":"0"}`,
    );
  }
  const twice = Math.floor(records * 0.001);
  for (let i = 0; i < twice; i++, duplicateLabels++) labels.push(labels[Math.floor(random() * labels.length)]!);
  // Labels are collected later and in no particular order.
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  const labelFiles = 24;
  let groundTruthBytes = 0;
  const per = Math.ceil(labels.length / labelFiles);
  for (let k = 0; k < labelFiles; k++) {
    const hour = start + (k + 2) * 3_600_000;
    const w = new LineWriter(path.join(groundTruthDir, hourPathOf(hour), `labels-${pad(k)}.jsonl`));
    for (let i = k * per; i < Math.min(labels.length, (k + 1) * per); i++) w.line(labels[i]!);
    w.close();
    groundTruthBytes += w.bytes;
  }
  return {
    dir,
    captureDir,
    groundTruthDir,
    trainingCsv,
    captureRecords: written,
    captureFiles,
    captureBytes,
    groundTruthRecords: labels.length,
    groundTruthFiles: labelFiles,
    groundTruthBytes,
    duplicates,
    unparseable,
    missingLabels,
    orphanLabels,
    duplicateLabels,
  };
}

function hourPathOf(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}`;
}

// Run alone only: the benchmark's bundle inlines this module, so `import.meta.filename` cannot tell.
if (/generate-evaluation-data\.ts$/.test(process.argv[1] ?? '')) {
  const dir = process.argv[2] ?? 'bench/.data/evaluation';
  const t = performance.now();
  const data = generateEvaluationData(dir, Number(process.argv[3] ?? '1000000'));
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}

/**
 * `mlops evaluate`: a model's quality on live traffic, from SageMaker data capture and Model Monitor ground truth.
 *
 * The offline form reads local folders (`--capture`, `--ground-truth`; every `.jsonl` and `.jsonl.gz` below them)
 * with the same engine as the scheduled evaluation, and prints the metrics with their 95 % intervals, the counts and,
 * with a baseline profile, the drift of each feature. Naming a pipeline takes the problem type, label, features,
 * threshold, sample minimum and bounds from its configuration. The online form (`mlops evaluate <pipeline>` without
 * folders) runs the deployed scheduled evaluation now, on AWS or the local runtime (evaluate-online.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadPipelines } from '../../functions/config/load-pipelines';
import {
  EVALUATION_METRICS,
  EVALUATION_METRICS_BY_PROBLEM_TYPE,
  type EvaluationMetric,
  type PipelineConfig,
  PROBLEM_TYPES,
  type ProblemType,
} from '../../functions/config/pipeline-config';
import { fileSource } from '../../functions/contracts/byte-source';
import {
  type DatasetProfile,
  parseDatasetProfile,
  ProfileFormatError,
} from '../../functions/contracts/contract-report';
import { ContractDefinitionError, loadContract } from '../../functions/contracts/odcs-contract';
import { parseCaptureKey } from '../../functions/evaluation/capture-layout';
import { evaluateSources } from '../../functions/evaluation/evaluate-sources';
import type { EvaluationOptions } from '../../functions/evaluation/evaluation-accumulator';
import { judgeWindow, type OutcomeConfig } from '../../functions/evaluation/evaluation-outcome';
import { buildReport, type EvaluationReport } from '../../functions/evaluation/evaluation-report';
import { featureColumns } from '../../functions/evaluation/feature-columns';
import { EXIT, UsageError } from '../exit-codes';
import { printJson, renderTable } from '../output';
import { addTargetOptions, resolveStackTarget, type TargetOptions } from '../stack-target';
import { runOnlineEvaluation } from './evaluate-online';

/** What the offline evaluation reads and how it judges. */
export interface OfflineEvaluationOptions extends EvaluationOptions {
  /** Folder of capture files (searched recursively). */
  readonly captureDir: string;
  /** Folder of ground-truth files (searched recursively). */
  readonly groundTruthDir: string;
  /** The judge's settings: sample minimum, drift thresholds, optional degradation bound (the gate). */
  readonly outcome: OutcomeConfig;
}

/** Every `.jsonl` and `.jsonl.gz` file below `dir`, in name order. */
export function dataFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && /\.jsonl(\.gz)?$/.test(entry.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** A local file named by its path relative to `root` (examples then say where the line is). */
function namedSource(file: string, root: string) {
  return { ...fileSource(file), name: path.relative(root, file).split(path.sep).join('/') };
}

/** The variant of a capture file, when its path ends in the S3 layout `<endpoint>/<variant>/yyyy/mm/dd/hh/<file>`. */
function variantOf(relative: string): string {
  const parts = relative.split('/');
  return parts.length >= 7 ? (parseCaptureKey(parts.slice(-7).join('/'))?.variant ?? '') : '';
}

/** Runs the evaluation over local folders; the report is what `--json` prints. */
export async function runOfflineEvaluation(options: OfflineEvaluationOptions): Promise<EvaluationReport> {
  const captureFiles = dataFiles(options.captureDir);
  const truthFiles = dataFiles(options.groundTruthDir);
  const captures = captureFiles.map((f) => {
    const source = namedSource(f, options.captureDir);
    return { source, variant: variantOf(source.name) };
  });
  const truth = truthFiles.map((f) => namedSource(f, options.groundTruthDir));
  const evaluation = await evaluateSources(captures, truth, options);
  const endpoint = evaluation.accumulator.endpointResult();
  const judgement = judgeWindow(endpoint, options.outcome);
  return buildReport(evaluation.accumulator, endpoint, judgement, options.outcome, options.window);
}

// ---------------------------------------------------------------------------------------------------------------
// Command line

interface EvaluateFlags {
  capture?: string;
  groundTruth?: string;
  problem?: string;
  baseline?: string;
  features?: string;
  contract?: string;
  target?: string;
  threshold?: number;
  minSamples?: number;
  psiThreshold?: number;
  ksPValue?: number;
  classLabels?: string;
  failUnder?: string;
  failOver?: string;
  json?: boolean;
  time?: string;
}

const number = (flag: string, check: (n: number) => boolean, expected: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new UsageError(`${flag}: expected ${expected}, got '${v}'`);
  return n;
};

function folder(flag: string, dir: string | undefined): string {
  if (dir === undefined) throw new UsageError(`${flag} <dir> is required (or name a pipeline for the online form)`);
  if (!fs.existsSync(dir)) throw new UsageError(`${flag}: ${dir}: no such folder`);
  if (!fs.statSync(dir).isDirectory()) throw new UsageError(`${flag}: ${dir}: not a folder`);
  return dir;
}

function readBaseline(file: string): DatasetProfile {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--baseline: ${file}: cannot read the profile: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return parseDatasetProfile(json);
  } catch (error) {
    if (error instanceof ProfileFormatError) throw new UsageError(`--baseline: ${file}: ${error.message}`);
    throw error;
  }
}

function contractFeatures(file: string, target: string): string[] {
  try {
    return featureColumns(loadContract(fs.readFileSync(file, 'utf8'), file).plan.columns, target);
  } catch (error) {
    if (error instanceof ContractDefinitionError) throw new UsageError(error.message);
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT')
      throw new UsageError(`--contract: ${file}: no such file`);
    throw error;
  }
}

/** `metric=value` of a gate flag. */
function gate(flag: string, text: string, problemType: ProblemType): { metric: EvaluationMetric; value: number } {
  const match = /^([a-z0-9_]+)=(.+)$/.exec(text.trim());
  const metric = EVALUATION_METRICS.find((m) => m === match?.[1]);
  const value = Number(match?.[2]);
  if (match === null || metric === undefined || !Number.isFinite(value)) {
    throw new UsageError(
      `${flag}: expected <metric>=<number> with a metric among ${EVALUATION_METRICS.join(', ')}, got '${text}'`,
    );
  }
  if (!EVALUATION_METRICS_BY_PROBLEM_TYPE[problemType].includes(metric)) {
    throw new UsageError(
      `${flag}: ${metric} is not a ${problemType} metric (expected one of ${EVALUATION_METRICS_BY_PROBLEM_TYPE[problemType].join(', ')})`,
    );
  }
  return { metric, value };
}

const list = (text: string | undefined) =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

/** The options of an offline run from the flags and, when named, the pipeline's configuration. */
export function offlineOptions(
  flags: EvaluateFlags,
  pipeline: PipelineConfig | undefined,
  pipelineFolder?: string,
): OfflineEvaluationOptions {
  const captureDir = folder('--capture', flags.capture);
  const groundTruthDir = folder('--ground-truth', flags.groundTruth);
  const problemType = flags.problem ?? pipeline?.problemType;
  if (problemType === undefined)
    throw new UsageError('--problem <binary|multiclass|regression> is required without a pipeline');
  const problem = PROBLEM_TYPES.find((p) => p === problemType);
  if (problem === undefined)
    throw new UsageError(`--problem: expected one of ${PROBLEM_TYPES.join(', ')}, got '${problemType}'`);
  if (flags.threshold !== undefined && problem !== 'binary')
    throw new UsageError('--threshold applies to binary problems only');
  if (flags.classLabels !== undefined && problem !== 'multiclass')
    throw new UsageError('--class-labels applies to multiclass problems only');

  const target = flags.target ?? pipeline?.target;
  let features = list(flags.features);
  if (features === undefined && flags.contract !== undefined) {
    if (target === undefined) throw new UsageError('--contract needs --target <label column> to leave the label out');
    features = contractFeatures(flags.contract, target);
  }
  if (features === undefined && pipeline !== undefined && pipelineFolder !== undefined && target !== undefined) {
    features = contractFeatures(path.join(pipelineFolder, pipeline.data.contract), target);
  }
  const baseline = flags.baseline === undefined ? undefined : readBaseline(flags.baseline);
  const configured = pipeline?.evaluation;
  const under = flags.failUnder === undefined ? undefined : gate('--fail-under', flags.failUnder, problem);
  const over = flags.failOver === undefined ? undefined : gate('--fail-over', flags.failOver, problem);
  if (under !== undefined && over !== undefined && under.metric !== over.metric) {
    throw new UsageError(
      `--fail-under and --fail-over must name the same metric, got ${under.metric} and ${over.metric}`,
    );
  }
  const degradation =
    under !== undefined || over !== undefined
      ? {
          metric: (under ?? over)!.metric,
          ...(under === undefined ? {} : { minimum: under.value }),
          ...(over === undefined ? {} : { maximum: over.value }),
          consecutiveWindows: 1,
        }
      : configured?.degradation;
  const threshold = flags.threshold ?? configured?.threshold;
  const classLabels = list(flags.classLabels);
  return {
    captureDir,
    groundTruthDir,
    problemType: problem,
    ...(threshold === undefined ? {} : { threshold }),
    ...(classLabels === undefined ? {} : { classLabels }),
    ...(features === undefined ? {} : { features }),
    ...(baseline === undefined ? {} : { baseline }),
    ...(target === undefined ? {} : { target }),
    outcome: {
      minSamples: flags.minSamples ?? configured?.minSamples ?? 100,
      ...(degradation === undefined ? {} : { degradation }),
      drift: {
        psiThreshold: flags.psiThreshold ?? configured?.drift.psiThreshold ?? 0.2,
        ...((flags.ksPValue ?? configured?.drift.ksPValue) === undefined
          ? {}
          : { ksPValue: flags.ksPValue ?? configured?.drift.ksPValue }),
        consecutiveWindows: 1,
      },
      onDegradation: 'notify',
      onDrift: 'notify',
    },
  };
}

const fixed = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '-' : v.toFixed(digits));
const count = (n: number) => n.toLocaleString('en-US');
const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`);

/** The report for people: the verdict, the metrics table, the counts, the drift and the first unusable lines. */
export function renderEvaluation(report: EvaluationReport): string {
  const c = report.counts;
  const lines = [
    `${report.verdict.toUpperCase()}: ${report.problemType} model, ${count(report.samples)} samples, ${count(report.matched)} matched (${percent(report.matched, report.samples)})` +
      (report.threshold === undefined ? '' : `, threshold ${report.threshold}`),
  ];
  lines.push(
    renderTable(
      ['metric', 'value', '95 % CI', 'n', 'note'],
      Object.entries(report.metrics).map(([name, value]) => {
        const ci = report.confidenceIntervals[name];
        return [
          name,
          fixed(value),
          ci === null || ci === undefined ? '-' : `${fixed(ci.low)} – ${fixed(ci.high)} (${ci.method})`,
          count(report.metricSamples[name] ?? 0),
          report.metricNotes[name] ?? '',
        ];
      }),
    ),
  );
  if (
    report.confusionMatrix !== null &&
    report.confusionMatrix.labels.length > 0 &&
    report.confusionMatrix.labels.length <= 12
  ) {
    const m = report.confusionMatrix;
    lines.push('confusion matrix (rows: label, columns: prediction):');
    lines.push(
      renderTable(
        ['', ...m.labels],
        m.labels.map((label, t) => [label, ...m.counts[t]!.map(count)]),
      ),
    );
  }
  lines.push(
    `capture: ${count(c.capture.files)} file(s), ${count(c.capture.lines)} line(s), ${count(c.capture.records)} request(s) used; ` +
      `${count(c.capture.duplicates)} duplicate(s), ${count(c.capture.unparseable)} unparseable, ${count(c.capture.invalid)} undecodable` +
      (c.capture.outsideWindow > 0 ? `, ${count(c.capture.outsideWindow)} outside the window` : ''),
    `ground truth: ${count(c.groundTruth.files)} file(s), ${count(c.groundTruth.lines)} line(s), ${count(c.groundTruth.records)} label record(s); ` +
      `${count(c.groundTruth.duplicates)} duplicate(s), ${count(c.groundTruth.unparseable)} unparseable, ${count(c.join.invalidLabels)} unusable`,
    `join: ${count(report.matched)} matched, ${count(c.unlabeled)} unlabeled, ${count(c.labelsWithoutCapture)} label(s) without capture`,
  );
  if (report.degradation !== null) {
    const d = report.degradation;
    lines.push(
      `gate: ${d.metric} ${d.bound === 'minimum' ? '>=' : '<='} ${d.threshold}: ${d.status}${d.reason === undefined ? '' : ` (${d.reason})`}`,
    );
  }
  if (report.drift !== null) {
    const drift = report.drift;
    lines.push(
      `drift against the baseline (PSI > ${drift.psiThreshold}${drift.ksPValue === null ? '' : ` or KS p < ${drift.ksPValue}`}): ${drift.status}${drift.reason === undefined ? '' : ` (${drift.reason})`}`,
    );
    const rows = [
      ...drift.features,
      ...(drift.prediction === null ? [] : [{ ...drift.prediction, drifted: false }]),
    ].map((d) => [
      d.feature,
      d.kind,
      fixed(d.psi),
      fixed(d.ks),
      d.ksPValue === null ? '-' : d.ksPValue.toExponential(2),
      count(d.n),
      d.drifted ? 'DRIFT' : '',
      d.reason ?? '',
    ]);
    lines.push(renderTable(['feature', 'kind', 'PSI', 'KS', 'KS p', 'n', '', 'note'], rows));
  }
  for (const e of report.examples) lines.push(`${e.kind}: ${e.file}:${e.line}: ${e.reason}`);
  return `${lines.join('\n')}\n`;
}

function findPipeline(projectRoot: string, name: string): { pipeline: PipelineConfig; folder: string } {
  const pipelines = loadPipelines(projectRoot); // a PipelineConfigError becomes exit code 2 in mlops.ts
  const pipeline = pipelines.find((p) => p.name === name);
  if (pipeline === undefined) {
    throw new UsageError(`no pipeline '${name}' (pipelines: ${pipelines.map((p) => p.name).join(', ') || 'none'})`);
  }
  return { pipeline, folder: path.join(projectRoot, 'pipelines', name) };
}

export function registerEvaluateCommand(program: Command, projectRoot: () => string): void {
  const command = program
    .command('evaluate')
    .description('model quality on captured traffic joined with ground truth: metrics with 95 % intervals, drift')
    .argument('[pipeline]', 'take problem type, label, features, threshold and bounds from this pipeline')
    .option('--capture <dir>', 'SageMaker data-capture files (.jsonl, .jsonl.gz), searched recursively')
    .option('--ground-truth <dir>', 'Model Monitor ground-truth files (.jsonl, .jsonl.gz), searched recursively')
    .option('--problem <type>', `problem type: ${PROBLEM_TYPES.join(', ')}`)
    .option('--baseline <profile.json>', 'training data profile (mlops validate --write-profile): feature drift')
    .option('--features <a,b,c>', 'feature names of CSV requests, in order')
    .option('--contract <contract.yaml>', 'take the features from a data contract (with --target)')
    .option('--target <column>', 'the label column: left out of the features; predictions drift against it')
    .option(
      '--threshold <p>',
      'binary decision threshold (default 0.5)',
      number('--threshold', (n) => n >= 0 && n <= 1, 'a number from 0 to 1'),
    )
    .option(
      '--min-samples <n>',
      'fewer matched samples: insufficient-data (default 100)',
      number('--min-samples', (n) => Number.isInteger(n) && n >= 1, 'a positive integer'),
    )
    .option(
      '--psi-threshold <x>',
      'PSI above which a feature has drifted (default 0.2)',
      number('--psi-threshold', (n) => n > 0, 'a number above 0'),
    )
    .option(
      '--ks-p-value <p>',
      'KS p-value below which a feature has drifted (default: off)',
      number('--ks-p-value', (n) => n > 0 && n < 1, 'a number between 0 and 1'),
    )
    .option('--class-labels <a,b,c>', 'multiclass: the class of each probability column')
    .option('--fail-under <metric=value>', 'exit 1 when the metric is below the value (e.g. roc_auc=0.7)')
    .option('--fail-over <metric=value>', 'exit 1 when the metric is above the value (e.g. rmse=3.5)')
    .option('--json', 'print the report as JSON')
    .option(
      '--time <iso>',
      'online: evaluate as if scheduled at this time (default: now); the window ends the label lag before it',
    );
  addTargetOptions(command).action(async (pipelineName: string | undefined, flags: EvaluateFlags & TargetOptions) => {
    if (flags.capture === undefined && flags.groundTruth === undefined) {
      if (pipelineName === undefined) {
        throw new UsageError(
          'name a deployed pipeline (mlops evaluate <pipeline> [--local]) or give --capture <dir> and --ground-truth <dir>',
        );
      }
      const time = flags.time === undefined ? undefined : new Date(flags.time);
      if (time !== undefined && Number.isNaN(time.getTime())) {
        throw new UsageError(`--time: expected an ISO-8601 time, got '${flags.time}'`);
      }
      const root = projectRoot();
      const target = await resolveStackTarget({ ...flags, projectRoot: root });
      const online = await runOnlineEvaluation({
        target,
        projectRoot: root,
        pipeline: pipelineName,
        ...(time === undefined ? {} : { time }),
      });
      if (flags.json) printJson(online);
      else {
        const e = online.evaluation;
        process.stdout.write(
          `evaluation ${e.evaluationId} of ${e.pipeline} (${target.where}), model version ${e.modelVersion ?? '-'} on ${e.endpointName}\n` +
            `window ${e.windowStart} – ${e.windowEnd}; events: ${e.events.join(', ')}\n` +
            `report: s3://${target.outputs.artifactsBucketName}/${e.reportKey}\n` +
            renderEvaluation(online.report),
        );
      }
      process.exitCode =
        online.evaluation.verdict === 'degraded' || online.evaluation.verdict === 'drift' ? EXIT.negative : EXIT.ok;
      return;
    }
    if (flags.time !== undefined) throw new UsageError('--time applies to the online form (no --capture)');
    const named = pipelineName === undefined ? undefined : findPipeline(projectRoot(), pipelineName);
    const options = offlineOptions(flags, named?.pipeline, named?.folder);
    const report = await runOfflineEvaluation(options);
    if (flags.json) printJson(report);
    else process.stdout.write(renderEvaluation(report));
    process.exitCode = report.verdict === 'degraded' ? EXIT.negative : EXIT.ok;
  });
}

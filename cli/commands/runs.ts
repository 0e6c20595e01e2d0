import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { TrainingStore, type RunRecord } from '../../functions/metadata/training-store';
import { EXIT, UsageError } from '../exit-codes';
import { printJson, renderTable } from '../output';
import { addTargetOptions, resolveStackTarget, type TargetOptions } from '../stack-target';

function storeFor(clientConfig: object, tableName: string): { store: TrainingStore; close(): void } {
  const dynamodb = new DynamoDBClient(clientConfig);
  const client = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  return { store: new TrainingStore(client, tableName), close: () => dynamodb.destroy() };
}

const metricText = (metrics: Readonly<Record<string, number>> | undefined): string =>
  Object.entries(metrics ?? {})
    .map(([name, value]) => `${name}=${Number(value.toPrecision(4))}`)
    .join(' ');

function outcome(run: RunRecord): string {
  if (run.status === 'registered') return `model v${run.modelVersion ?? '?'}`;
  if (run.status === 'rejected') return (run.reasons ?? []).join('; ');
  if (run.status === 'failed') return run.failureReason ?? '';
  return run.note ?? '';
}

/** `mlops runs <pipeline>` and `mlops lineage <pipeline> <model-version>`: training history from the metadata table. */
export function registerRunsCommands(program: Command, projectRoot: () => string): void {
  addTargetOptions(
    program
      .command('runs')
      .argument('<pipeline>', 'pipeline name (folder under pipelines/)')
      .description('training runs of a pipeline, newest first')
      .option('-n, --limit <n>', 'how many runs', (v) => Number.parseInt(v, 10), 20)
      .option('--json', 'print JSON'),
  ).action(async (pipeline: string, options: TargetOptions & { limit: number; json?: boolean }) => {
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new UsageError('--limit must be a positive integer');
    const target = await resolveStackTarget({ ...options, projectRoot: projectRoot() });
    const db = storeFor(target.clientConfig, target.outputs.metadataTableName);
    try {
      const runs = await db.store.runs(pipeline, options.limit);
      if (options.json) printJson(runs);
      else if (runs.length === 0) process.stdout.write(`no training runs of ${pipeline} yet\n`);
      else
        process.stdout.write(
          `${renderTable(
            ['run', 'started', 'status', 'datasets', 'metrics', 'outcome'],
            runs.map((r) => [
              r.runId,
              r.startedAt,
              r.status,
              String(r.datasetIds?.length ?? 0),
              metricText(r.metrics),
              outcome(r),
            ]),
          )}\n`,
        );
      process.exitCode = EXIT.ok;
    } finally {
      db.close();
    }
  });

  addTargetOptions(
    program
      .command('lineage')
      .argument('<pipeline>', 'pipeline name')
      .argument('<model-version>', 'model version number in the registry', (v) => Number.parseInt(v, 10))
      .description('where a model version came from: its run, manifest, data files and contract reports')
      .option('--json', 'print JSON'),
  ).action(async (pipeline: string, version: number, options: TargetOptions & { json?: boolean }) => {
    if (!Number.isInteger(version) || version < 1) throw new UsageError('<model-version> must be a positive integer');
    const target = await resolveStackTarget({ ...options, projectRoot: projectRoot() });
    const db = storeFor(target.clientConfig, target.outputs.metadataTableName);
    try {
      const model = await db.store.modelByVersion(pipeline, version);
      if (model === undefined) throw new UsageError(`${pipeline} has no model version ${version}`);
      const run = await db.store.run(model.runId);
      const datasets = await db.store.datasets(pipeline, run?.datasetSortKeys ?? []);
      const artifacts = target.outputs.artifactsBucketName;
      const lineage = {
        model,
        run: run ?? null,
        manifest: `s3://${artifacts}/${model.manifestKey}`,
        metricsReport: `s3://${artifacts}/${model.metricsReportKey}`,
        datasets: datasets.map((item) => {
          const d = item as Record<string, string | number | undefined>;
          return {
            datasetId: String(d.datasetId),
            file: `s3://${String(d.bucket)}/${String(d.key)}`,
            versionId: typeof d.versionId === 'string' ? d.versionId : null,
            rows: Number(d.rows ?? 0),
            contract: `${String(d.contractId)} ${String(d.contractVersion)}`,
            report: typeof d.reportKey === 'string' ? `s3://${artifacts}/${d.reportKey}` : null,
          };
        }),
      };
      if (options.json) printJson(lineage);
      else {
        process.stdout.write(
          `${pipeline} model v${model.modelVersion} (${model.approvalStatus})\n  package  ${model.modelPackageArn}\n` +
            `  run      ${model.runId} (training job ${model.trainingJobName})\n  metrics  ${metricText(model.metrics)}\n` +
            `  model    ${model.modelDataUrl}\n  manifest ${lineage.manifest}\n  report   ${lineage.metricsReport}\n`,
        );
        process.stdout.write(
          `${renderTable(
            ['dataset', 'file', 'version', 'rows', 'contract report'],
            lineage.datasets.map((d) => [d.datasetId, d.file, d.versionId ?? '-', String(d.rows), d.report ?? '-']),
          )}\n`,
        );
      }
      process.exitCode = EXIT.ok;
    } finally {
      db.close();
    }
  });
}

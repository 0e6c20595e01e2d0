/**
 * The end of the demo: what the metadata table holds (datasets, runs, models, deployments, evaluations by status),
 * where the reports are, the Slack messages, and the time of every step.
 */
import { ListModelPackagesCommand, type ModelPackageSummary } from '@aws-sdk/client-sagemaker';
import { renderTable } from '../cli/output';
import type { EntityKind } from '../functions/metadata/table-keys';
import type { DemoContext } from './demo-context';
import { pipelineRecords, type MetadataRecord } from './metadata-records';
import { seconds } from './progress';
import { s3Uri } from './s3-objects';

/** The table's record kinds, with the attribute that says how each one ended. */
const KINDS: readonly { kind: EntityKind; label: string; outcome: (r: MetadataRecord) => string | undefined }[] = [
  { kind: 'DATASET', label: 'datasets', outcome: (r) => r.status },
  { kind: 'RUN', label: 'training runs', outcome: (r) => r.status },
  { kind: 'MODEL', label: 'model versions', outcome: (r) => r.approvalStatus },
  { kind: 'DEPLOYMENT', label: 'deployments', outcome: (r) => r.status },
  { kind: 'EVALUATION', label: 'evaluations', outcome: (r) => r.verdict },
];

/** What the summary counted, by kind and outcome (also what the end-to-end test compares). */
export type RecordCounts = Readonly<Record<EntityKind, Readonly<Record<string, number>>>>;

/** Counts the pipeline's records by kind and outcome. */
export async function countRecords(context: DemoContext): Promise<RecordCounts> {
  const { documents, outputs, pipeline } = context;
  const counts: Record<EntityKind, Record<string, number>> = {
    DATASET: {},
    RUN: {},
    MODEL: {},
    DEPLOYMENT: {},
    EVALUATION: {},
  };
  for (const { kind, outcome } of KINDS) {
    for (const record of await pipelineRecords(documents, outputs.metadataTableName, pipeline.name, kind)) {
      const key = outcome(record) ?? 'unknown';
      counts[kind][key] = (counts[kind][key] ?? 0) + 1;
    }
  }
  return counts;
}

/** Prints the summary; returns the counts it printed. */
export async function printSummary(context: DemoContext, elapsedMs: number): Promise<RecordCounts> {
  const { progress, outputs, pipeline, documents } = context;
  progress.section('Summary', 'summary');

  const counts = await countRecords(context);
  progress.line(
    renderTable(
      ['metadata table', 'total', 'by status'],
      KINDS.map(({ kind, label }) => {
        const byStatus = Object.entries(counts[kind]);
        return [
          label,
          byStatus.reduce((sum, [, n]) => sum + n, 0),
          byStatus.map(([status, n]) => `${n} ${status}`).join(', ') || '-',
        ];
      }),
    ),
  );
  const packages = await registryPackages(context);
  progress.line(
    `model registry ${pipeline.registry.modelPackageGroupName}: ${packages.length} versions (` +
      `${packages.map((p) => `v${p.ModelPackageVersion} ${p.ModelApprovalStatus}`).join(', ')}); ` +
      'the table records the versions the quality gate registered',
  );
  const state = await context.deployments.getState(pipeline.name);
  progress.line(
    `champion: ${state.champion === undefined ? 'none' : `v${state.champion.modelVersion}`} on endpoint ${pipeline.deployment.endpointName}`,
  );

  const datasets = await pipelineRecords(documents, outputs.metadataTableName, pipeline.name, 'DATASET');
  const runs = await pipelineRecords(documents, outputs.metadataTableName, pipeline.name, 'RUN');
  const reports = [
    ...datasets.flatMap((d) =>
      d.reportKey === undefined
        ? []
        : [[`contract report (${d.status})`, s3Uri(outputs.artifactsBucketName, d.reportKey)]],
    ),
    ...datasets.flatMap((d) =>
      d.quarantineKey === undefined ? [] : [['quarantined file', s3Uri(outputs.quarantineBucketName, d.quarantineKey)]],
    ),
    ...runs.flatMap((r) =>
      r.metricsReportKey === undefined
        ? []
        : [[`metrics report (run ${r.runId ?? '?'})`, s3Uri(outputs.artifactsBucketName, r.metricsReportKey)]],
    ),
  ];
  progress.line('\nReports (in the local S3; on AWS the same keys in the stack’s buckets):');
  for (const [what, uri] of reports) progress.line(`  ${what?.padEnd(32)} ${progress.style('dim', uri ?? '')}`);

  progress.line(`\nSlack messages, ${context.slack.description}:`);
  if (context.slack.kind === 'local') {
    for (const message of context.slack.messages) {
      progress.line(`  ${message.header.padEnd(48)} ${progress.style('dim', firstSentence(message.summary))}`);
    }
  } else {
    progress.line(`  ${context.events.count} lifecycle events announced; see the channel.`);
  }

  progress.line('\nTime per step:');
  progress.line(
    renderTable(
      ['part', 'step', 'seconds'],
      progress.steps.map((s) => [s.scenario, s.step, (s.ms / 1000).toFixed(1)]),
    ),
  );
  progress.line(`total so far: ${seconds(elapsedMs)}`);
  return counts;
}

/** Every version in the pipeline's model package group, oldest first. */
async function registryPackages(context: DemoContext): Promise<ModelPackageSummary[]> {
  const packages: ModelPackageSummary[] = [];
  let next: string | undefined;
  do {
    const page = await context.runtime.clients.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: context.pipeline.registry.modelPackageGroupName,
        SortBy: 'CreationTime',
        SortOrder: 'Ascending',
        NextToken: next,
      }),
    );
    packages.push(...(page.ModelPackageSummaryList ?? []));
    next = page.NextToken;
  } while (next !== undefined);
  return packages;
}

/** The message's summary without its mention and mrkdwn marks, cut to one line. */
function firstSentence(text: string): string {
  const line = (text.split('\n')[0] ?? '').replace(/^<[^>]+>\s*/, '').replace(/[*`]/g, '');
  return line.length > 110 ? `${line.slice(0, 109)}…` : line;
}

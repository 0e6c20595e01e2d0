/**
 * Scenario 3: a malformed batch and a drifted batch arrive. Both are rejected with reports that say exactly what is
 * wrong (check, line, value), quarantined, never trained on, and announced in Slack.
 */
import { ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { DatasetAccepted, DatasetRejected, TrainingStarted, type FailedCheck } from '../../functions/events/lifecycle';
import { driftedBatch, malformedBatch, type BatchFile } from '../../pipelines/churn/world/batch-files';
import type { DemoContext } from '../demo-context';
import { notificationStatus, pipelineRecords } from '../metadata-records';
import { DemoExpectationError, expectThat } from '../progress';
import { objectExists, readJsonObject, s3Uri } from '../s3-objects';
import type { Scenario } from '../scenario';

/** One rejected batch, as the system reported it. */
export interface RejectedBatch {
  readonly landingKey: string;
  readonly datasetId: string;
  readonly eventId: string;
  /** Ids of the failed checks in the contract report (`plan.invalidValues`, …). */
  readonly failedCheckIds: readonly string[];
  readonly failedChecks: readonly FailedCheck[];
  readonly reportKey: string;
  readonly quarantineKey: string;
}

export interface RejectedBatchesOutcome {
  readonly malformed: RejectedBatch;
  readonly drifted: RejectedBatch;
  /** Headers of the Slack messages that announced them (local receiver only; empty with a real webhook). */
  readonly slackHeaders: readonly string[];
}

const MALFORMED_SEED = 4;
const DRIFTED_SEED = 3;
/** The contract compares drift on files of 1000 rows or more; 5000 keep the check quick. */
const DRIFTED_ROWS = 5000;

const ReportSchema = z.looseObject({
  status: z.string(),
  checks: z.array(z.looseObject({ id: z.string(), status: z.string(), metric: z.string() })),
});

export const rejectedBatches: Scenario<RejectedBatchesOutcome> = {
  number: 3,
  title: 'A malformed and a drifted batch are rejected, quarantined and announced',
  async run(context) {
    const { progress, runtime, outputs, pipeline } = context;
    const malformed = malformedBatch(MALFORMED_SEED);
    const drifted = driftedBatch(DRIFTED_SEED, { rows: DRIFTED_ROWS });
    const keyOf = (file: BatchFile) => `${pipeline.data.landingPrefix}${file.name}`;
    const since = context.events.count;

    await progress.step(
      'a malformed and a drifted batch land in the landing bucket',
      () =>
        Promise.all(
          [malformed, drifted].map((file) =>
            runtime.clients.s3.send(
              new PutObjectCommand({
                Bucket: outputs.landingBucketName,
                Key: keyOf(file),
                Body: file.bytes,
                ContentType: file.contentType,
              }),
            ),
          ),
        ),
      () => ({
        lookAt: [
          `${malformed.name}: ${malformed.rows.length} rows, broken on purpose: ${malformed.defects.map((d) => d.defect).join(', ')}`,
          `${drifted.name}: ${drifted.rows.length.toLocaleString('en')} well-formed rows of customers after a price hike`,
        ],
      }),
    );

    const [malformedResult, driftedResult] = await progress.step(
      'both are rejected by the contract check, with precise reports',
      async () => {
        const verdicts = await context.until('the contract check of both batches', () => {
          const accepted = context.events
            .events(DatasetAccepted, since)
            .find((e) => e.detail.key === keyOf(malformed) || e.detail.key === keyOf(drifted));
          if (accepted !== undefined) throw new DemoExpectationError(`${accepted.detail.key} was accepted`);
          const rejected = context.events.events(DatasetRejected, since);
          const ofFile = (file: BatchFile) => rejected.find((e) => e.detail.key === keyOf(file));
          const both = [ofFile(malformed), ofFile(drifted)] as const;
          return both[0] !== undefined && both[1] !== undefined ? ([both[0], both[1]] as const) : undefined;
        });
        const results = await Promise.all(
          verdicts.map(async (event): Promise<RejectedBatch> => {
            const report = ReportSchema.parse(
              await readJsonObject(runtime.clients.s3, outputs.artifactsBucketName, event.detail.reportKey),
            );
            expectThat(report.status === 'rejected', `the report of ${event.detail.key} says ${report.status}`);
            return {
              landingKey: event.detail.key,
              datasetId: event.detail.datasetId,
              eventId: event.id,
              failedCheckIds: report.checks.filter((c) => c.status === 'failed').map((c) => c.id),
              failedChecks: event.detail.failedChecks,
              reportKey: event.detail.reportKey,
              quarantineKey: event.detail.quarantineKey,
            };
          }),
        );
        const [malformedReport, driftedReport] = results;
        if (malformedReport === undefined || driftedReport === undefined) throw new Error('two verdicts expected');
        const expectedIds = [...new Set(malformed.defects.map((d) => d.checkId))].sort();
        expectThat(
          JSON.stringify([...malformedReport.failedCheckIds].sort()) === JSON.stringify(expectedIds),
          `the malformed batch failed ${malformedReport.failedCheckIds.join(', ')}; expected exactly ${expectedIds.join(', ')}`,
        );
        for (const defect of malformed.defects.filter((d) => d.line !== null)) {
          const listed = malformedReport.failedChecks.some((check) =>
            check.examples.some((example) => example.line === defect.line && example.value === defect.value),
          );
          expectThat(listed, `the rejection does not list line ${defect.line} (${defect.defect}, "${defect.value}")`);
        }
        const driftIds = driftedReport.failedCheckIds;
        expectThat(
          driftIds.length > 0 && driftIds.every((id) => id.includes('drift')),
          `the drifted batch should fail drift checks only; it failed ${driftIds.join(', ') || 'nothing'}`,
        );
        return [malformedReport, driftedReport] as const;
      },
      (results) => ({
        result: results.map((r) => `${r.failedCheckIds.length} failed checks`).join(' and '),
        lookAt: results.flatMap((r) => [
          `${fileName(r.landingKey)}: ${s3Uri(outputs.artifactsBucketName, r.reportKey)}`,
          ...r.failedChecks.slice(0, 3).map((check) => `  ✗ ${describeCheck(check)}`),
          ...(r.failedChecks.length > 3 ? [`  … and ${r.failedChecks.length - 3} more in the report`] : []),
        ]),
      }),
    );

    await progress.step(
      'both are quarantined and recorded; nothing is trained on them',
      async () => {
        for (const result of [malformedResult, driftedResult]) {
          expectThat(
            await objectExists(runtime.clients.s3, outputs.quarantineBucketName, result.quarantineKey),
            `${result.quarantineKey} is not in the quarantine bucket`,
          );
          const versions = await runtime.clients.s3.send(
            new ListObjectVersionsCommand({ Bucket: outputs.landingBucketName, Prefix: result.landingKey }),
          );
          expectThat(
            (versions.Versions ?? []).every((v) => v.Key !== result.landingKey),
            `${result.landingKey} is still in the landing bucket`,
          );
        }
        const records = await pipelineRecords(context.documents, outputs.metadataTableName, pipeline.name, 'DATASET');
        for (const result of [malformedResult, driftedResult]) {
          const record = records.find((r) => r.datasetId === result.datasetId);
          expectThat(record?.status === 'rejected', `dataset ${result.datasetId} is recorded as ${record?.status}`);
        }
        const started = context.events.events(TrainingStarted, since);
        expectThat(started.length === 0, `a training run started: ${started.map((e) => e.detail.runId).join(', ')}`);
      },
      () => ({
        lookAt: [malformedResult, driftedResult].map((r) => s3Uri(outputs.quarantineBucketName, r.quarantineKey)),
      }),
    );

    const slackHeaders = await progress.step(
      'Dataset Rejected is announced in Slack, mentioning on-call',
      async () => {
        await context.until('the Slack messages of both rejections', async () => {
          const statuses = await Promise.all(
            [malformedResult, driftedResult].map((r) =>
              notificationStatus(context.documents, outputs.metadataTableName, r.eventId),
            ),
          );
          return statuses.every((s) => s === 'sent') ? true : undefined;
        });
        return rejectionMessages(context, [malformedResult, driftedResult]);
      },
      (headers) => ({
        result: context.slack.kind === 'local' ? `${headers.length} messages` : 'sent',
        lookAt: headers,
      }),
    );

    return { malformed: malformedResult, drifted: driftedResult, slackHeaders };
  },
};

/** The recorded messages about the two files; with a real webhook, none can be read back. */
function rejectionMessages(context: DemoContext, results: readonly RejectedBatch[]): string[] {
  if (context.slack.kind !== 'local') return [];
  const headers = results.map((result) => {
    const message = context.slack.messages.find(
      (m) => m.header.includes('Dataset rejected') && m.text.includes(fileName(result.landingKey)),
    );
    expectThat(message !== undefined, `no Slack message about ${fileName(result.landingKey)} was recorded`);
    const mention = context.pipeline.notifications.mention;
    expectThat(
      mention === undefined || message.text.includes(mention),
      `the message about ${fileName(result.landingKey)} does not mention ${mention}`,
    );
    return `${message.header}: ${fileName(result.landingKey)}`;
  });
  return headers;
}

function fileName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** `monthly_charges.invalidValues (monthly_charges): observed 1, expected 0; line 312: "-12.5"` */
function describeCheck(check: FailedCheck): string {
  const examples = check.examples
    .slice(0, 2)
    .map((e) => `${e.line === undefined ? '' : `line ${e.line}: `}${JSON.stringify(e.value)}`)
    .join(', ');
  return `${check.name}: observed ${String(check.observed)}, expected ${String(check.expected)}${examples ? `; ${examples}` : ''}`;
}

/**
 * Scenario 2: live traffic flows through the endpoint with data capture; ground truth arrives hours later, some of
 * it never; the scheduled evaluation joins them and reports the model's quality (with confidence intervals) and the
 * drift of every feature against the champion's training data.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { dropLabels, fireEvaluation, LABEL_DELAY_HOURS, nextEvaluationTime, sendTraffic } from '../live-world';
import { mlopsCommand } from '../mlops-cli';
import { expectThat } from '../progress';
import { readJsonObject, s3Uri } from '../s3-objects';
import type { Scenario } from '../scenario';

export interface LiveEvaluationOutcome {
  readonly requests: number;
  readonly captureObjects: number;
  readonly labels: number;
  readonly evaluationId: string;
  readonly verdict: string;
  readonly samples: number;
  readonly matched: number;
  readonly rocAuc: number;
  readonly driftStatus: string;
  readonly reportKey: string;
}

/** Traffic seed and size: 2,000 customers scored by today's client applications. */
const TRAFFIC_SEED = 21;
const REQUESTS = 2000;

const ReportSchema = z.looseObject({
  verdict: z.string(),
  matched: z.number(),
  confidenceIntervals: z.record(z.string(), z.object({ low: z.number(), high: z.number() }).nullable()),
  drift: z
    .object({
      status: z.string(),
      features: z.array(z.object({ feature: z.string(), psi: z.number().nullable(), drifted: z.boolean() })),
    })
    .nullable(),
  counts: z.looseObject({ unlabeled: z.number() }),
});

export const liveEvaluation: Scenario<LiveEvaluationOutcome> = {
  number: 2,
  title: 'Live traffic, late labels and the scheduled evaluation',
  async run(context) {
    const { progress, runtime, outputs, pipeline } = context;
    const endpointName = pipeline.deployment.endpointName;

    const sent = await progress.step(
      `client applications score ${REQUESTS.toLocaleString('en')} customers; data capture records each call`,
      async () => {
        const servedAt = new Date();
        const requests = await sendTraffic(context, TRAFFIC_SEED, REQUESTS);
        const listed = await runtime.clients.s3.send(
          new ListObjectsV2Command({
            Bucket: outputs.dataCaptureBucketName,
            Prefix: `${pipeline.name}/${endpointName}/`,
          }),
        );
        const objects = listed.KeyCount ?? 0;
        expectThat(objects > 0, `no capture file under s3://${outputs.dataCaptureBucketName}/${pipeline.name}/`);
        return { requests, servedAt, objects, firstKey: listed.Contents?.[0]?.Key ?? '' };
      },
      ({ objects, firstKey }) => ({
        result: `${objects} capture file(s)`,
        lookAt: [`capture: ${s3Uri(outputs.dataCaptureBucketName, firstKey)}`],
      }),
    );

    const labels = await progress.step(
      `the labels arrive ${LABEL_DELAY_HOURS.min} to ${LABEL_DELAY_HOURS.max} hours later (one in ten never)`,
      () => dropLabels(context, sent.requests, TRAFFIC_SEED, sent.servedAt),
      ({ keys, labels: count }) => ({
        result: `${count.toLocaleString('en')} labels in ${keys.length} hourly file(s)`,
        lookAt: [`ground truth: ${s3Uri(outputs.groundTruthBucketName, `${pipeline.name}/`)}`],
      }),
    );

    const evaluated = await progress.step(
      `the hourly schedule fires: the evaluation joins capture and labels`,
      async () => {
        const record = await fireEvaluation(context, await nextEvaluationTime(context));
        expectThat(record.verdict === 'ok', `the verdict is ${record.verdict}, not ok`);
        // Scenario 1's check calls are captured too.
        expectThat(record.samples >= REQUESTS, `${record.samples} samples evaluated, ${REQUESTS} sent`);
        expectThat(
          record.matched === labels.labels,
          `${record.matched} samples joined with a label; ${labels.labels} labels were written`,
        );
        const report = ReportSchema.parse(
          await readJsonObject(runtime.clients.s3, outputs.artifactsBucketName, record.reportKey),
        );
        expectThat(report.drift !== null, 'the report has no drift section: no training baseline was found');
        expectThat(report.drift.status === 'stable', `drift is ${report.drift.status} on the training population`);
        return { record, report };
      },
      ({ record, report }) => {
        const auc = record.metrics['roc_auc'] ?? Number.NaN;
        const ci = report.confidenceIntervals['roc_auc'];
        const worst = [...(report.drift?.features ?? [])].sort((a, b) => (b.psi ?? 0) - (a.psi ?? 0))[0];
        return {
          result:
            `${record.verdict}: roc_auc ${auc.toFixed(3)}` +
            (ci ? ` (95 % CI ${ci.low.toFixed(3)}–${ci.high.toFixed(3)})` : '') +
            `, ${record.matched.toLocaleString('en')}/${record.samples.toLocaleString('en')} labelled`,
          lookAt: [
            `drift: ${report.drift?.status}, highest PSI ${worst === undefined ? '-' : `${worst.feature} ${(worst.psi ?? 0).toFixed(3)}`} (threshold ${pipeline.evaluation?.drift.psiThreshold})`,
            `report: ${s3Uri(outputs.artifactsBucketName, record.reportKey)}`,
            mlopsCommand(
              `evaluate ${pipeline.name} --time ${evaluationTime(record.windowEnd, pipeline.evaluation?.labelLagHours ?? 0)}`,
            ),
          ],
        };
      },
    );

    return {
      requests: REQUESTS,
      captureObjects: sent.objects,
      labels: labels.labels,
      evaluationId: evaluated.record.evaluationId,
      verdict: evaluated.record.verdict,
      samples: evaluated.record.samples,
      matched: evaluated.record.matched,
      rocAuc: evaluated.record.metrics['roc_auc'] ?? Number.NaN,
      driftStatus: evaluated.report.drift?.status ?? 'none',
      reportKey: evaluated.record.reportKey,
    };
  },
};

/** The schedule time of a window (its end plus the label lag), for `mlops evaluate --time`. */
export function evaluationTime(windowEnd: string, labelLagHours: number): string {
  return new Date(Date.parse(windowEnd) + labelLagHours * 3_600_000).toISOString();
}

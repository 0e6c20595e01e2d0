/**
 * Scenario 4: the world changes. A competitor enters the market and customers now churn for other reasons (a concept
 * shift: the same kind of customers, other labels). New snapshots arrive; models trained on them are judged on the
 * newest snapshot and do not yet beat the champion's score, so the gate keeps it. Live traffic then shows what the
 * champion's registered score hides: window after window its live ROC AUC is below the bound, and after K windows
 * the evaluation emits `Model Degraded`, whose action for this pipeline is `retrain`. The retrained model is judged
 * against the champion's live value (`gate.liveMetric`), beats it, and is rolled out by canary traffic shifting.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DatasetAccepted,
  DatasetRejected,
  DeploymentFailed,
  DeploymentRolledBack,
  DeploymentStarted,
  DeploymentSucceeded,
  ModelDegraded,
  ModelRegistered,
  ModelRejected,
  TrainingFailed,
} from '../../functions/events/lifecycle';
import type { EvaluationItem } from '../../functions/metadata/evaluation-store';
import { goodBatch } from '../../pipelines/churn/world/batch-files';
import { COMPETITOR_ENTERS } from '../../pipelines/churn/world/churn-concepts';
import type { DemoContext } from '../demo-context';
import { predictChurn } from '../endpoint-traffic';
import { dropLabels, fireEvaluation, nextEvaluationTime, sendTraffic } from '../live-world';
import { mlopsCommand } from '../mlops-cli';
import { DemoExpectationError, expectThat } from '../progress';
import { s3Uri } from '../s3-objects';
import type { Scenario } from '../scenario';

export interface ConceptShiftOutcome {
  /** Why the gate kept the champion for each new-snapshot run. */
  readonly rejections: readonly (readonly string[])[];
  readonly windows: readonly { readonly verdict: string; readonly rocAuc: number; readonly degradedStreak: number }[];
  readonly degradedEvaluationId: string;
  readonly retrainRunId: string;
  readonly retrainedVersion: number;
  readonly championValueSource: string;
  readonly strategy: string;
  readonly championVersion: number;
}

/** New snapshots: 10,000 customers each, labelled under the new concept. */
const SNAPSHOTS = [
  { seed: 4, date: '2026-02-15' },
  { seed: 5, date: '2026-03-15' },
] as const;
const SNAPSHOT_ROWS = 10_000;
const TRAFFIC_SEED = 41;
const REQUESTS = 4000;

/** Lands one snapshot and waits for the gate's verdict on the run it starts; the rejection's reasons. */
async function landAndJudge(context: DemoContext, seed: number, date: string): Promise<readonly string[]> {
  const { runtime, outputs, pipeline } = context;
  const batch = goodBatch(seed, { rows: SNAPSHOT_ROWS, concept: COMPETITOR_ENTERS, snapshotDate: date });
  const key = `${pipeline.data.landingPrefix}${batch.name}`;
  const since = context.events.count;
  await runtime.clients.s3.send(
    new PutObjectCommand({
      Bucket: outputs.landingBucketName,
      Key: key,
      Body: batch.bytes,
      ContentType: batch.contentType,
    }),
  );
  const accepted = await context.until(`the contract check of ${batch.name}`, () => {
    const rejected = context.events.events(DatasetRejected, since).find((e) => e.detail.key === key);
    if (rejected !== undefined) throw new DemoExpectationError(`${batch.name} was rejected by its contract`);
    return context.events.events(DatasetAccepted, since).find((e) => e.detail.key === key);
  });
  const run = await context.until(`the training run of ${batch.name}`, async () =>
    (await context.training.runs(pipeline.name, 5)).find((r) => r.trigger === accepted.detail.datasetId),
  );
  return context.until(`the gate's verdict on run ${run.runId}`, () => {
    const failed = context.events.events(TrainingFailed, since).find((e) => e.detail.runId === run.runId);
    if (failed !== undefined) throw new DemoExpectationError(`training failed: ${failed.detail.reason}`);
    const registered = context.events.events(ModelRegistered, since).find((e) => e.detail.runId === run.runId);
    if (registered !== undefined) {
      throw new DemoExpectationError(
        `v${registered.detail.modelVersion} was registered before the champion degraded (validation ${registered.detail.comparison.value.toFixed(3)})`,
      );
    }
    return context.events.events(ModelRejected, since).find((e) => e.detail.runId === run.runId)?.detail.reasons;
  });
}

export const conceptShift: Scenario<ConceptShiftOutcome> = {
  number: 4,
  title: 'The world changes: degradation, retraining, canary rollout',
  async run(context) {
    const { progress, outputs, pipeline } = context;
    const evaluation = pipeline.evaluation;
    if (evaluation?.degradation === undefined) {
      throw new DemoExpectationError(`${pipeline.name} has no evaluation.degradation: nothing can detect degradation`);
    }
    const k = evaluation.degradation.consecutiveWindows;
    const champion = (await context.deployments.getState(pipeline.name)).champion;
    if (champion === undefined) throw new DemoExpectationError('there is no champion (scenario 1 first)');
    const since = context.events.count;

    const rejections = await progress.step(
      `a competitor enters; two new snapshots arrive, each trains a model`,
      async () => {
        const out: (readonly string[])[] = [];
        for (const { seed, date } of SNAPSHOTS) out.push(await landAndJudge(context, seed, date));
        return out;
      },
      (reasons) => ({
        result: `the gate keeps v${champion.modelVersion} both times`,
        lookAt: reasons.map((r, i) => `snapshot ${i + 1}: ${r[0] ?? ''}`).concat(mlopsCommand(`runs ${pipeline.name}`)),
      }),
    );

    await progress.step(
      `live traffic under the new concept: ${REQUESTS.toLocaleString('en')} calls, then their labels`,
      async () => {
        const servedAt = new Date();
        const requests = await sendTraffic(context, TRAFFIC_SEED, REQUESTS, { concept: COMPETITOR_ENTERS });
        return dropLabels(context, requests, TRAFFIC_SEED, servedAt);
      },
      ({ labels }) => ({ result: `${labels.toLocaleString('en')} labels` }),
    );

    const windows: EvaluationItem[] = [];
    for (let window = 1; window <= k; window++) {
      windows.push(
        await progress.step(
          `evaluation window ${window} of ${k}: the champion's live quality`,
          async () => {
            const record = await fireEvaluation(context, await nextEvaluationTime(context));
            expectThat(
              record.verdict === 'degraded',
              `window ${window}: the verdict is ${record.verdict}, not degraded`,
            );
            expectThat(record.degradedStreak === window, `window ${window}: degraded streak ${record.degradedStreak}`);
            const announced = context.events
              .events(ModelDegraded, since)
              .some((e) => e.detail.evaluationId === record.evaluationId);
            expectThat(
              announced === (window === k),
              window === k
                ? `no Model Degraded after ${k} degraded windows`
                : `Model Degraded after ${window} window(s)`,
            );
            return record;
          },
          (record) => ({
            result:
              `${record.verdict}: roc_auc ${(record.metrics['roc_auc'] ?? Number.NaN).toFixed(3)} < ${evaluation.degradation?.minimum}` +
              (window === k ? `: Model Degraded, action ${evaluation.onDegradation}` : ''),
          }),
        ),
      );
    }
    const degraded = windows.at(-1)!;

    const retrained = await progress.step(
      'Model Degraded asks for retraining; the retrained model beats the degraded champion',
      async () => {
        expectThat(evaluation.onDegradation === 'retrain', `onDegradation is ${evaluation.onDegradation}, not retrain`);
        const run = await context.until('the retraining run', async () =>
          (await context.training.runs(pipeline.name, 10)).find(
            (r) => r.trigger === `evaluation:${degraded.evaluationId}`,
          ),
        );
        const registered = await context.until(`the gate's verdict on run ${run.runId}`, () => {
          const rejected = context.events.events(ModelRejected, since).find((e) => e.detail.runId === run.runId);
          if (rejected !== undefined) {
            throw new DemoExpectationError(`the retrained model was rejected: ${rejected.detail.reasons.join('; ')}`);
          }
          return context.events.events(ModelRegistered, since).find((e) => e.detail.runId === run.runId);
        });
        const source = registered.detail.comparison.championValueSource;
        expectThat(
          source?.startsWith(`live ${pipeline.gate.liveMetric ?? ''}`) === true,
          `the champion's value came from ${source ?? 'its registration'}, not its live evaluation`,
        );
        return { run, detail: registered.detail, source: source ?? '' };
      },
      ({ detail, source }) => ({
        result: `v${detail.modelVersion}: ${detail.comparison.metric} ${detail.comparison.value.toFixed(3)} vs ${(detail.comparison.championValue ?? Number.NaN).toFixed(3)}`,
        lookAt: [`champion's value: ${source}`, mlopsCommand(`lineage ${pipeline.name} ${detail.modelVersion}`)],
      }),
    );

    const rolledOut = await progress.step(
      `v${retrained.detail.modelVersion} rolls out by canary: part of the traffic first, then all of it`,
      async () => {
        const version = retrained.detail.modelVersion;
        const started = await context.until(`the deployment of v${version}`, () =>
          context.events.events(DeploymentStarted, since).find((e) => e.detail.modelVersion === version),
        );
        expectThat(
          started.detail.strategy === pipeline.deployment.strategy.type,
          `the deployment shifts traffic ${started.detail.strategy}, not ${pipeline.deployment.strategy.type}`,
        );
        await context.until(`the end of the deployment of v${version}`, () => {
          const failed =
            context.events.events(DeploymentFailed, since).find((e) => e.detail.modelVersion === version) ??
            context.events.events(DeploymentRolledBack, since).find((e) => e.detail.modelVersion === version);
          if (failed !== undefined) throw new DemoExpectationError(`the deployment ended: ${failed.detail.reason}`);
          return context.events.events(DeploymentSucceeded, since).find((e) => e.detail.modelVersion === version);
        });
        const state = await context.deployments.getState(pipeline.name);
        expectThat(state.champion?.modelVersion === version, `the champion is not v${version}`);
        const scores = await predictChurn(context, 43, 5);
        return { strategy: started.detail.strategy, version, scores };
      },
      ({ strategy, version, scores }) => {
        const s = pipeline.deployment.strategy;
        const how =
          s.type === 'canary' ? `${s.canaryPercent} % for ${s.waitSeconds} s (simulated), then the rest` : strategy;
        return {
          result: `${strategy} (${how}); v${version} is the champion`,
          lookAt: [
            `churn probabilities from v${version}: ${scores.map((x) => x.toFixed(2)).join(' ')}`,
            `degradation report: ${s3Uri(outputs.artifactsBucketName, degraded.reportKey)}`,
            mlopsCommand(`status ${pipeline.name}`),
          ],
        };
      },
    );

    return {
      rejections,
      windows: windows.map((w) => ({
        verdict: w.verdict,
        rocAuc: w.metrics['roc_auc'] ?? Number.NaN,
        degradedStreak: w.degradedStreak,
      })),
      degradedEvaluationId: degraded.evaluationId,
      retrainRunId: retrained.run.runId,
      retrainedVersion: retrained.detail.modelVersion,
      championValueSource: retrained.source,
      strategy: rolledOut.strategy,
      championVersion: rolledOut.version,
    };
  },
};

/**
 * The scheduled evaluation on the local runtime, on the churn example end to end: a landed batch is checked, trained
 * on (the pipeline's real training command), registered, approved and deployed with data capture; live traffic goes
 * through the endpoint; labels arrive late, some never; the schedule fires and the evaluation records the window.
 * Then the world changes: labels that the champion no longer predicts (a concept shift) make it `degraded` and, after
 * K windows, `Model Degraded` asks for retraining, which the training function starts; traffic from another
 * population makes features drift and, after K windows, `Drift Detected` is emitted.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import type { PipelineConfig } from '../../../functions/config/pipeline-config';
import { ModelDegraded, toPutEventsEntry } from '../../../functions/events/lifecycle';
import { DeploymentStore } from '../../../functions/metadata/deployment-store';
import { writeHandle } from '../../../cli/local-runtime-handle';
import { startControlServer } from '../../../local/control-server';
import { goodBatch } from '../../../pipelines/churn/world/batch-files';
import { COMPETITOR_ENTERS } from '../../../pipelines/churn/world/churn-concepts';
import { PRICE_HIKE_POPULATION } from '../../../pipelines/churn/world/customers';
import { groundTruthFiles } from '../../../pipelines/churn/world/ground-truth';
import {
  inferenceRequests,
  type InferenceRequest,
  type InferenceTrafficOptions,
} from '../../../pipelines/churn/world/inference-traffic';
import { ROOT, startTrainingHarness, type TrainingHarness } from '../training/training-harness';

const NAME = 'eva';
const HOUR = 3_600_000;

/** The churn pipeline with the real training and serving commands, auto approval and short, testable streaks. */
function evaluatedChurn(): PipelineConfig {
  const base = loadPipelines(ROOT).find((p) => p.name === 'churn')!;
  return {
    ...base,
    name: NAME,
    data: { ...base.data, landingPrefix: `${NAME}/incoming/`, contract: '../churn/contract.yaml' },
    training: { ...base.training, debounceSeconds: 0 },
    registry: { approval: 'auto', modelPackageGroupName: NAME },
    deployment: {
      ...base.deployment,
      endpointName: NAME,
      strategy: { type: 'allAtOnce', waitSeconds: 0, terminationWaitSeconds: 0, maximumExecutionTimeoutSeconds: 600 },
    },
    evaluation: {
      ...base.evaluation!,
      windowHours: 24,
      labelLagHours: 1,
      minSamples: 200,
      degradation: { metric: 'roc_auc', minimum: 0.72, consecutiveWindows: 3 },
      drift: { psiThreshold: 0.2, consecutiveWindows: 2 },
      onDegradation: 'retrain',
      onDrift: 'notify',
    },
  };
}

let harness: TrainingHarness;
/** The schedule's "now" for each firing: after the traffic plus the label lag, a minute apart. */
let clock: number;
let seed = 100;

beforeAll(async () => {
  harness = await startTrainingHarness('EvaluationTest', [evaluatedChurn()]);
  const { runtime } = harness;
  const batch = goodBatch(1, { rows: 3000 });
  await runtime.clients.s3.send(
    new PutObjectCommand({
      Bucket: runtime.physicalId('DataPlaneLandingBucket'),
      Key: `${NAME}/incoming/${batch.name}`,
      Body: batch.bytes,
    }),
  );
  const deployments = new DeploymentStore(harness.stores().client, runtime.physicalId('DataPlaneMetadataTable'));
  await harness.settleUntil(async () => (await deployments.getState(NAME)).champion !== undefined, 150_000);
  clock = Date.now() + 2 * HOUR;
}, 240_000);

afterAll(async () => {
  await harness?.close();
});

/** Sends `n` requests through the endpoint (captured) and drops their labels, late and some missing. */
async function serve(n: number, options: InferenceTrafficOptions = {}, labels = true): Promise<InferenceRequest[]> {
  const { runtime } = harness;
  const requests = inferenceRequests(seed++, n, options);
  // Eight callers at a time, as a fleet of clients would.
  let next = 0;
  const caller = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      await runtime.clients.sagemakerRuntime.send(
        new InvokeEndpointCommand({
          EndpointName: NAME,
          Body: r.body,
          ContentType: r.contentType,
          InferenceId: r.inferenceId,
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, caller));
  await runtime.endpoints.flush();
  if (labels) {
    const served = requests.map((r) => ({ ...r, inferenceTime: new Date() }));
    // Labels arrive up to an hour later (so some land in the next hour's folder), one in ten never.
    for (const file of groundTruthFiles(served, {
      prefix: NAME,
      seed,
      missingShare: 0.1,
      delayHours: { min: 0, max: 1 },
    })) {
      await runtime.clients.s3.send(
        new PutObjectCommand({
          Bucket: runtime.physicalId('DataPlaneGroundTruthBucket'),
          Key: file.key,
          Body: file.body,
        }),
      );
    }
  }
  return requests;
}

/** Fires the pipeline's schedule at `time`, as EventBridge would; the function's result. */
async function fireAt(time: number): Promise<Record<string, unknown>> {
  const { runtime } = harness;
  const schedule = runtime.dispatcher.schedules.find((s) => s.inputTransformer?.inputTemplate.includes(`"${NAME}"`));
  expect(schedule).toBeDefined();
  const outcome = await runtime.dispatcher.fireSchedule(schedule!.logicalId, new Date(time));
  expect(outcome.kind).toBe('succeeded');
  return (outcome as { value: Record<string, unknown> }).value;
}

/** Fires the pipeline's schedule at the next minute of the test clock. */
function fire(): Promise<Record<string, unknown>> {
  clock += 60_000;
  return fireAt(clock);
}

async function settleEvents(detailType: string, count: number): Promise<void> {
  await harness.settleUntil(() => Promise.resolve(harness.eventsOf(NAME, detailType).length >= count), 60_000);
}

describe('scheduled evaluation of the live champion', () => {
  it('joins captured traffic with late labels and records the window, its metrics, report and event', async () => {
    const { runtime } = harness;
    const requests = await serve(500);
    const result = await fire();
    expect(result).toMatchObject({ kind: 'evaluated', pipeline: NAME, verdict: 'ok', duplicate: false });
    await settleEvents('Evaluation Completed', 1);

    const completed = harness.eventsOf(NAME, 'Evaluation Completed')[0]!.detail;
    expect(completed).toMatchObject({ verdict: 'ok', samples: requests.length, endpointName: NAME, modelVersion: 1 });
    // About one label in ten never arrives; the rest, late ones included, are joined.
    expect(completed.matched).toBeGreaterThan(0.8 * requests.length);
    expect(completed.matched).toBeLessThan(requests.length);
    expect((completed.metrics as Record<string, number>).roc_auc).toBeGreaterThan(0.72);

    const [record] = await harness.stores().evaluations.recent(NAME, 1);
    expect(record).toMatchObject({
      evaluationId: result.evaluationId,
      verdict: 'ok',
      trigger: 'schedule',
      modelVersion: 1,
      degradedStreak: 0,
      driftStreak: 0,
      parts: 1,
      eventsSent: true,
      baselineKey: expect.stringMatching(/^profiles\/eva\//),
    });
    const report = JSON.parse(
      (await (
        await runtime.clients.s3.send(
          new GetObjectCommand({ Bucket: runtime.physicalId('DataPlaneArtifactsBucket'), Key: record!.reportKey }),
        )
      ).Body?.transformToString()) ?? '{}',
    ) as {
      verdict: string;
      samples: number;
      matched: number;
      counts: { unlabeled: number };
      drift: { status: string; features: { feature: string }[] };
    };
    expect(report).toMatchObject({ verdict: 'ok', samples: requests.length, matched: completed.matched });
    expect(report.counts.unlabeled).toBe(requests.length - Number(completed.matched));
    expect(report.drift.status).toBe('stable');
    expect(report.drift.features.map((f) => f.feature)).toContain('monthly_charges');

    // The quality metrics reached CloudWatch (EMF in the function's log, as CloudWatch Logs extracts it on AWS): the
    // series the deployment's model-quality rollback alarm watches, and one per variant.
    const listed = await runtime.clients.cloudwatch.send(
      new ListMetricsCommand({ Namespace: 'MLOps/ModelQuality', MetricName: 'roc_auc' }),
    );
    const series = (listed.Metrics ?? []).map((m) =>
      (m.Dimensions ?? [])
        .map((d) => `${d.Name}=${d.Value}`)
        .sort()
        .join(','),
    );
    expect(series.sort()).toEqual([
      'EndpointName=eva,Pipeline=eva',
      'EndpointName=eva,Pipeline=eva,VariantName=AllTraffic',
    ]);
    const stats = await runtime.clients.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'MLOps/ModelQuality',
        MetricName: 'roc_auc',
        Dimensions: [
          { Name: 'Pipeline', Value: NAME },
          { Name: 'EndpointName', Value: NAME },
        ],
        StartTime: new Date(Date.parse(record!.windowEnd) - HOUR),
        EndTime: new Date(Date.parse(record!.windowEnd) + HOUR),
        Period: 3600,
        Statistics: ['Minimum'],
      }),
    );
    expect(stats.Datapoints?.[0]?.Minimum).toBeCloseTo((completed.metrics as Record<string, number>).roc_auc!, 6);

    // Capture really went through the endpoint into the hour layout the evaluation reads.
    const captured = await runtime.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: runtime.physicalId('DataPlaneDataCaptureBucket'),
        Prefix: `${NAME}/${NAME}/AllTraffic/`,
      }),
    );
    expect(captured.KeyCount).toBeGreaterThan(0);
  }, 120_000);

  it('records a redelivered schedule once and sends its events once', async () => {
    const again = await fireAt(clock);
    expect(again).toMatchObject({ kind: 'evaluated', duplicate: true });
    await harness.settleUntil(() => Promise.resolve(true));
    expect(harness.eventsOf(NAME, 'Evaluation Completed')).toHaveLength(1);
    expect(await harness.stores().evaluations.recent(NAME, 10)).toHaveLength(1);
  }, 60_000);

  it('runs the evaluation now from the CLI on the local runtime and prints its report', async () => {
    const { runtime } = harness;
    const control = await startControlServer(runtime);
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-cli-'));
    try {
      writeHandle(project, runtime, control.url);
      const cli = (...args: string[]) =>
        promisify(execFile)('node', [path.join(ROOT, 'cli/bin.mjs'), '-C', project, ...args], { cwd: ROOT });
      const at = new Date(clock + 30_000).toISOString();
      const { stdout } = await cli('evaluate', NAME, '--local', '--time', at, '--json');
      const online = JSON.parse(stdout) as {
        evaluation: { trigger: string; verdict: string; events: string[]; evaluationId: string };
        report: { verdict: string; matched: number };
      };
      expect(online.evaluation).toMatchObject({ trigger: 'request', verdict: 'ok', events: ['Evaluation Completed'] });
      expect(online.report.matched).toBeGreaterThan(400);
      const text = (await cli('evaluate', NAME, '--local', '--time', at)).stdout;
      expect(text).toMatch(/^evaluation \S+ of eva \(local\), model version 1 on eva/);
      expect(text).toContain('roc_auc');
      await expect(cli('evaluate', 'nope', '--local')).rejects.toMatchObject({ code: 2 });
    } finally {
      await control.close();
      fs.rmSync(project, { recursive: true, force: true });
    }
  }, 90_000);

  it('ignores a retrain request while no dataset was accepted since the champion was trained', async () => {
    const { runtime } = harness;
    const detail = {
      pipeline: NAME,
      evaluationId: 'manual-no-new-data',
      endpointName: NAME,
      modelVersion: 1,
      reportKey: 'evaluations/eva/manual/report.json',
      metric: 'roc_auc',
      bound: 'minimum' as const,
      threshold: 0.72,
      value: 0.6,
      consecutiveWindows: 3,
      action: 'retrain' as const,
    };
    await runtime.clients.eventbridge.send(
      new PutEventsCommand({
        Entries: [toPutEventsEntry(ModelDegraded, detail, runtime.physicalId('DataPlaneBus'))],
      }),
    );
    await harness.settleUntil(() => Promise.resolve(harness.eventsOf(NAME, 'Model Degraded').length === 1));
    await harness.settleUntil(() => Promise.resolve(true));
    const delivery = runtime.dispatcher.history.find(
      (d) =>
        d.functionLogicalId.startsWith('TrainingTrainer') && JSON.stringify(d.event).includes('manual-no-new-data'),
    );
    expect(delivery?.outcome).toMatchObject({
      kind: 'succeeded',
      value: { kind: 'ignored', reason: expect.stringMatching(/^no dataset accepted since champion v1 was trained/) },
    });
    expect((await harness.stores().training.runs(NAME, 10)).map((r) => r.trigger)).not.toContain(
      'evaluation:manual-no-new-data',
    );
  }, 60_000);

  it('emits Model Degraded after K degraded windows and the training function retrains on the new data', async () => {
    const { runtime } = harness;
    const runsBefore = (await harness.stores().training.runs(NAME, 10)).length;
    // The world changes: customers churn for other reasons. A new snapshot arrives; trained on the old data and
    // validated on it (the newest dataset is held out), the candidate is far below the gate's minimum.
    const snapshot = goodBatch(2, { rows: 3000, concept: COMPETITOR_ENTERS, snapshotDate: '2026-02-15' });
    await runtime.clients.s3.send(
      new PutObjectCommand({
        Bucket: runtime.physicalId('DataPlaneLandingBucket'),
        Key: `${NAME}/incoming/${snapshot.name}`,
        Body: snapshot.bytes,
      }),
    );
    await settleEvents('Model Rejected', 1);
    // The champion's scores no longer rank who churns.
    await serve(2500, { concept: COMPETITOR_ENTERS });
    const completedBefore = harness.eventsOf(NAME, 'Evaluation Completed').length;
    const verdicts: unknown[] = [];
    for (let k = 1; k <= 3; k++) {
      const result = await fire();
      verdicts.push(result.verdict);
      await settleEvents('Evaluation Completed', completedBefore + k);
      // The first Model Degraded was the hand-made one of the previous test.
      expect(harness.eventsOf(NAME, 'Model Degraded')).toHaveLength(k === 3 ? 2 : 1);
    }
    expect(verdicts).toEqual(['degraded', 'degraded', 'degraded']);
    const degraded = harness.eventsOf(NAME, 'Model Degraded').at(-1)!.detail;
    expect(degraded).toMatchObject({ metric: 'roc_auc', bound: 'minimum', threshold: 0.72, consecutiveWindows: 3 });
    expect(degraded.action).toBe('retrain');
    expect(degraded.value).toBeLessThan(0.72);
    const [latest] = await harness.stores().evaluations.recent(NAME, 1);
    expect(latest).toMatchObject({ degraded: true, degradedStreak: 3 });

    // The configured response: a training run for this evaluation, on the window with the new snapshot.
    await harness.settleUntil(async () => {
      const runs = await harness.stores().training.runs(NAME, 10);
      return runs.some((r) => r.trigger === `evaluation:${String(degraded.evaluationId)}`);
    }, 60_000);
    await harness.settleUntil(harness.allJobsEnded(NAME), 90_000);
    expect((await harness.stores().training.runs(NAME, 10)).length).toBe(runsBefore + 2);
  }, 180_000);

  it('emits Drift Detected after K windows of traffic from another population', async () => {
    // Whatever the retraining gave, the endpoint is settled: the drift windows judge one champion.
    const deployments = new DeploymentStore(
      harness.stores().client,
      harness.runtime.physicalId('DataPlaneMetadataTable'),
    );
    await harness.settleUntil(async () => {
      if (!(await harness.allJobsEnded(NAME)())) return false;
      const [latest] = await harness.stores().training.runs(NAME, 1);
      if (latest?.status !== 'registered') return latest?.status === 'rejected' || latest?.status === 'failed';
      const state = await deployments.getState(NAME);
      return state.inFlight === undefined && state.champion?.modelVersion === latest.modelVersion;
    }, 120_000);
    const before = harness.eventsOf(NAME, 'Drift Detected').length;
    await serve(6000, { population: PRICE_HIKE_POPULATION }, false);
    const first = await fire();
    await harness.settleUntil(() => Promise.resolve(true));
    expect(harness.eventsOf(NAME, 'Drift Detected')).toHaveLength(before);
    const second = await fire();
    expect([first.kind, second.kind]).toEqual(['evaluated', 'evaluated']);
    await settleEvents('Drift Detected', before + 1);
    const drift = harness.eventsOf(NAME, 'Drift Detected').at(-1)!.detail;
    expect(drift).toMatchObject({ consecutiveWindows: 2, action: 'notify', threshold: 0.2 });
    const features = (drift.features as { feature: string; psi: number }[]).map((f) => f.feature);
    expect(features).toContain('monthly_charges');
    expect(features).toContain('plan');
  }, 180_000);
});

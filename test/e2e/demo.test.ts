// `npm run demo`, scenario by scenario, through the demo's own code (demo/): the same synthesized stack, local
// runtime and scenario modules, with the progress output captured instead of printed. Each scenario checks its own
// steps; the assertions here read the outcome again from what the system recorded.
import * as path from 'node:path';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemo, type StartedDemo } from '../../demo/demo-context';
import { playScenario } from '../../demo/play-scenario';
import { ProgressReporter } from '../../demo/progress';
import { DEMO_SCENARIOS } from '../../demo/scenario-list';
import { brokenModel } from '../../demo/scenarios/broken-model';
import { conceptShift } from '../../demo/scenarios/concept-shift';
import { firstModel } from '../../demo/scenarios/first-model';
import { liveEvaluation } from '../../demo/scenarios/live-evaluation';
import { rejectedBatches } from '../../demo/scenarios/rejected-batches';
import { EvaluationStore } from '../../functions/metadata/evaluation-store';
import { printSummary } from '../../demo/summary';
import { MALFORMED_DEFECTS } from '../../pipelines/churn/world/batch-files';
import { MOTO_ENDPOINT_KEY } from '../integration/setup/provided-context';

const ROOT = path.resolve(import.meta.dirname, '../..');
const output: string[] = [];
const progress = new ProgressReporter((text) => output.push(text), false);
let demo: StartedDemo;

beforeAll(async () => {
  demo = await startDemo({ projectRoot: ROOT, progress, motoEndpoint: inject(MOTO_ENDPOINT_KEY) });
}, 120_000);

afterAll(async () => {
  await demo?.close();
});

const champion = async () => (await demo.context.deployments.getState('churn')).champion;

describe('npm run demo, scenario by scenario', () => {
  it('plays the scenarios in the order of the story', () => {
    expect(DEMO_SCENARIOS.map((s) => s.number)).toEqual([1, 2, 3, 4, 5]);
  });

  it('1: a first batch passes its contract, trains, passes the gate, is auto-approved and serves as champion', async () => {
    const outcome = await playScenario(demo.context, firstModel);

    expect(outcome.metrics['validation:auc']).toBeGreaterThan(0.75);
    expect(outcome.modelVersion).toBe(1);
    expect(await champion()).toMatchObject({ modelVersion: 1, modelPackageArn: outcome.modelPackageArn });
    const endpoint = await demo.context.runtime.clients.sagemaker.send(
      new DescribeEndpointCommand({ EndpointName: 'churn' }),
    );
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: outcome.endpointConfigName });
    expect(outcome.scores).toHaveLength(5);
    expect(new Set(outcome.scores).size).toBeGreaterThan(1);
  }, 90_000);

  it('2: live traffic is captured, late labels arrive, and the scheduled evaluation reports quality and drift', async () => {
    const outcome = await playScenario(demo.context, liveEvaluation);

    expect(outcome).toMatchObject({ verdict: 'ok', driftStatus: 'stable' });
    expect(outcome.samples).toBeGreaterThanOrEqual(outcome.requests);
    // About one label in ten never arrives; every one that did is joined.
    expect(outcome.matched).toBe(outcome.labels);
    expect(outcome.labels / outcome.requests).toBeGreaterThan(0.85);
    expect(outcome.labels / outcome.requests).toBeLessThan(0.95);
    expect(outcome.rocAuc).toBeGreaterThan(0.75);
    const store = new EvaluationStore(demo.context.documents, demo.context.outputs.metadataTableName);
    expect((await store.recent('churn', 1))[0]).toMatchObject({
      evaluationId: outcome.evaluationId,
      modelVersion: 1,
      trigger: 'schedule',
      eventsSent: true,
    });
  }, 90_000);

  it('3: a malformed and a drifted batch are rejected with the exact failed checks, quarantined and announced', async () => {
    const outcome = await playScenario(demo.context, rejectedBatches);

    expect([...outcome.malformed.failedCheckIds].sort()).toEqual(Object.values(MALFORMED_DEFECTS).sort());
    expect(outcome.drifted.failedCheckIds).toEqual(expect.arrayContaining(['monthly_charges.drift']));
    expect(outcome.drifted.failedCheckIds.every((id) => id.endsWith('.drift'))).toBe(true);
    expect(outcome.slackHeaders).toEqual([
      expect.stringMatching(/Dataset rejected · churn: snapshot-malformed-/),
      expect.stringMatching(/Dataset rejected · churn: snapshot-drifted-/),
    ]);
    expect(await champion()).toMatchObject({ modelVersion: 1 });
  }, 90_000);

  it('4: a concept shift degrades the champion for K windows; the retrained model beats it and rolls out by canary', async () => {
    const outcome = await playScenario(demo.context, conceptShift);

    expect(outcome.rejections).toHaveLength(2);
    expect(outcome.rejections[0]![0]).toMatch(/below the minimum 0.7/);
    expect(outcome.rejections[1]![0]).toMatch(/does not beat champion version 1/);
    expect(outcome.windows.map((w) => [w.verdict, w.degradedStreak])).toEqual([
      ['degraded', 1],
      ['degraded', 2],
      ['degraded', 3],
    ]);
    for (const w of outcome.windows) expect(w.rocAuc).toBeLessThan(0.7);
    const [retrain] = (await demo.context.training.runs('churn', 10)).filter((r) => r.runId === outcome.retrainRunId);
    expect(retrain).toMatchObject({
      trigger: `evaluation:${outcome.degradedEvaluationId}`,
      status: 'registered',
      modelVersion: outcome.retrainedVersion,
    });
    expect(outcome.championValueSource).toMatch(/^live roc_auc 0\.6/);
    expect(outcome).toMatchObject({ strategy: 'canary', championVersion: 2, retrainedVersion: 2 });
    expect(await champion()).toMatchObject({ modelVersion: 2 });
  }, 120_000);

  it('5: an approved broken model is rolled back and the champion keeps serving', async () => {
    const outcome = await playScenario(demo.context, brokenModel);

    expect(outcome.modelVersion).toBe(3);
    expect(outcome.deploymentOutcome).toBe('Deployment Rolled Back');
    expect(outcome.reason).toMatch(/ping|health check/i);
    expect(await champion()).toMatchObject({ modelVersion: 2 });
    expect(outcome.scores).toHaveLength(20);
  }, 90_000);

  it('sums up what the metadata table recorded, the reports and the Slack messages', async () => {
    const counts = await printSummary(demo.context, 0);

    expect(counts).toEqual({
      DATASET: { accepted: 3, rejected: 2 },
      RUN: { registered: 2, rejected: 2 },
      MODEL: { Approved: 2 },
      DEPLOYMENT: { succeeded: 2, 'rolled-back': 1 },
      EVALUATION: { ok: 1, degraded: 3 },
    });
    const printed = output.join('');
    expect(printed).toMatch(/Deployment rolled back · churn/);
    expect(printed.match(/contract report \((accepted|rejected)\)/g)).toHaveLength(5);
    expect(demo.context.slack.messages.map((m) => m.header)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Model registered/), expect.stringMatching(/Dataset rejected/)]),
    );
  });
});

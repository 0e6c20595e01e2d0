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
import { firstModel } from '../../demo/scenarios/first-model';
import { rejectedBatches } from '../../demo/scenarios/rejected-batches';
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
    expect(DEMO_SCENARIOS.map((s) => s.number)).toEqual([1, 3, 5]);
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

  it('5: an approved broken model is rolled back and the champion keeps serving', async () => {
    const outcome = await playScenario(demo.context, brokenModel);

    expect(outcome.modelVersion).toBe(2);
    expect(outcome.deploymentOutcome).toBe('Deployment Rolled Back');
    expect(outcome.reason).toMatch(/ping|health check/i);
    expect(await champion()).toMatchObject({ modelVersion: 1 });
    expect(outcome.scores).toHaveLength(20);
  }, 90_000);

  it('sums up what the metadata table recorded, the reports and the Slack messages', async () => {
    const counts = await printSummary(demo.context, 0);

    expect(counts).toEqual({
      DATASET: { accepted: 1, rejected: 2 },
      RUN: { registered: 1 },
      MODEL: { Approved: 1 },
      DEPLOYMENT: { succeeded: 1, 'rolled-back': 1 },
      EVALUATION: {},
    });
    const printed = output.join('');
    expect(printed).toMatch(/Deployment rolled back · churn/);
    expect(printed.match(/contract report \((accepted|rejected)\)/g)).toHaveLength(3);
    expect(demo.context.slack.messages.map((m) => m.header)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Model registered/), expect.stringMatching(/Dataset rejected/)]),
    );
  });
});

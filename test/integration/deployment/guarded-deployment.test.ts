// Deployment behind guardrails on the local runtime, end to end: an approval in the registry becomes a serving
// endpoint with data capture; a second approval shifts traffic canary-style and promotes the new champion; a
// failing deployment leaves the champion serving; repeated events change nothing twice; only the newest model
// approved during a deployment follows it; an evaluation asking for a rollback gets the previous champion back.
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListModelsCommand, ListEndpointConfigsCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ModelDegraded, toPutEventsEntry } from '../../../functions/events/lifecycle';
import { MOTO_ENDPOINT_KEY } from '../setup/provided-context';
import { DeploymentHarness, STAGE, testPipeline } from './deployment-harness';

const harness = new DeploymentHarness([testPipeline('itest'), testPipeline('broken')]);
const ENDPOINT = 'itest';
const FIVE_XX_ALARM = `mlops-${STAGE}-itest-invocation-5xx`;

beforeAll(async () => {
  await harness.start(inject(MOTO_ENDPOINT_KEY));
}, 120_000);

afterAll(async () => {
  await harness.stop();
});

const detailTypes = (events: readonly { 'detail-type': string }[]) => events.map((e) => e['detail-type']);
const deployFunction = () =>
  harness.runtime.stack.functions.find((f) => f.entry === 'functions/deploy/handler.ts') ??
  (() => {
    throw new Error('deploy function not provisioned');
  })();

describe('guarded deployment on the local runtime', () => {
  const versions: Record<string, { arn: string; version: number }> = {};

  it('turns an approved package into a serving endpoint with the trained model and SageMaker-format capture', async () => {
    const data = await harness.uploadModel('models/itest/v1/model.tar.gz', 0.25);
    versions.v1 = await harness.registerPackage('itest', data, 'Approved');

    await harness.settle();

    expect(await harness.predict(ENDPOINT)).toEqual(['0.25', '0.25']);
    const state = await harness.store.getState('itest');
    expect(state.champion).toMatchObject({ modelPackageArn: versions.v1.arn, modelVersion: 1 });
    expect(state.inFlight).toBeUndefined();
    const events = await harness.lifecycleEvents();
    expect(detailTypes(events)).toEqual(['Deployment Started', 'Deployment Succeeded']);
    expect(events[1]?.detail).toMatchObject({
      pipeline: 'itest',
      endpointName: ENDPOINT,
      modelVersion: 1,
      strategy: 'canary',
      endpointConfigName: state.champion?.endpointConfigName,
    });
    expect(events[1]?.detail).not.toHaveProperty('previousModelVersion');

    // SageMaker's layout: <destination>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl, one JSON record per line.
    const bucket = harness.runtime.physicalId('DataPlaneDataCaptureBucket');
    const key = await waitForObject(bucket, `itest/${ENDPOINT}/AllTraffic/`);
    expect(key).toMatch(/^itest\/itest\/AllTraffic\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[^/]+\.jsonl$/);
    const text = await (
      await harness.runtime.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body?.transformToString();
    const [record] = (text ?? '')
      .trim()
      .split('\n')
      .map((line): unknown => JSON.parse(line));
    expect(record).toMatchObject({
      captureData: {
        endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '3,1\n5,0\n', encoding: 'CSV' },
        endpointOutput: { mode: 'OUTPUT', data: '0.25\n0.25', encoding: 'CSV' },
      },
      eventMetadata: { eventId: expect.any(String), inferenceTime: expect.any(String) },
      eventVersion: '0',
    });
    const head = await harness.runtime.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
  });

  it('updates the endpoint canary-first on a second approval and promotes the new champion', async () => {
    await harness.deploymentProgress();
    const data = await harness.uploadModel('models/itest/v2/model.tar.gz', 0.75);
    versions.v2 = await harness.registerPackage('itest', data, 'PendingManualApproval');
    await harness.settle();
    expect(detailTypes(await harness.lifecycleEvents())).toEqual([]);

    await harness.approve(versions.v2.arn);
    await harness.settle();

    expect(await harness.predict(ENDPOINT)).toEqual(['0.75', '0.75']);
    const state = await harness.store.getState('itest');
    expect(state.champion).toMatchObject({ modelVersion: 2 });
    expect(state.previousChampions.map((c) => c.modelVersion)).toEqual([1]);
    const events = await harness.lifecycleEvents();
    expect(detailTypes(events)).toEqual(['Deployment Started', 'Deployment Succeeded']);
    expect(events[1]?.detail).toMatchObject({ modelVersion: 2, previousModelVersion: 1, strategy: 'canary' });
    const progress = (await harness.deploymentProgress()).map((e) => JSON.stringify(e.detail));
    expect(progress.some((p) => p.includes('(50% of traffic)') && p.includes('Baking'))).toBe(true);
    expect(progress.some((p) => p.includes('TerminationWaitInSeconds'))).toBe(true);
  });

  it('changes nothing when the approval and the endpoint state change are delivered again', async () => {
    const history = harness.runtime.dispatcher.history;
    const approval = history.filter((d) => d.source.startsWith('DeploymentOnModelPackageApproved')).at(-1);
    const inService = history.filter((d) => d.source.startsWith('DeploymentOnEndpointStateChange')).at(-1);
    const before = await harness.store.getState('itest');
    const deploymentsBefore = await harness.store.latestDeployments('itest', 10);

    const again = await Promise.all([
      harness.runtime.functions.invoke(deployFunction(), approval?.event),
      harness.runtime.functions.invoke(deployFunction(), approval?.event),
      harness.runtime.functions.invoke(deployFunction(), inService?.event),
      harness.runtime.functions.invoke(deployFunction(), inService?.event),
    ]);
    await harness.settle();

    expect(again.map((r) => r.ok)).toEqual([true, true, true, true]);
    expect(await harness.store.getState('itest')).toEqual(before);
    expect(await harness.store.latestDeployments('itest', 10)).toEqual(deploymentsBefore);
    expect(await harness.lifecycleEvents()).toEqual([]);
  });

  it('rolls a deployment back when a rollback alarm fires, and the champion keeps serving', async () => {
    const { cloudwatch } = harness.runtime.clients;
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: FIVE_XX_ALARM, StateValue: 'ALARM', StateReason: 'test: 5XX on canary' }),
    );
    try {
      const data = await harness.uploadModel('models/itest/v3/model.tar.gz', 0.99);
      versions.v3 = await harness.registerPackage('itest', data, 'Approved');
      await harness.settle();
    } finally {
      await cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName: FIVE_XX_ALARM, StateValue: 'OK', StateReason: 'test' }),
      );
    }

    expect(await harness.predict(ENDPOINT)).toEqual(['0.75', '0.75']);
    expect((await harness.store.getState('itest')).champion).toMatchObject({ modelVersion: 2 });
    const events = await harness.lifecycleEvents();
    expect(detailTypes(events)).toEqual(['Deployment Started', 'Deployment Rolled Back']);
    expect(events[1]?.detail).toMatchObject({ modelVersion: 3, reason: expect.stringContaining(FIVE_XX_ALARM) });
  });

  it('rolls back an update whose new fleet cannot start (model data missing), keeping the champion', async () => {
    versions.v4 = await harness.registerPackage('itest', 's3://no-such-bucket/missing/model.tar.gz', 'Approved');
    await harness.settle();

    expect(await harness.predict(ENDPOINT)).toEqual(['0.75', '0.75']);
    const events = await harness.lifecycleEvents();
    expect(detailTypes(events)).toEqual(['Deployment Started', 'Deployment Rolled Back']);
    expect(events[1]?.detail).toMatchObject({ modelVersion: 4, reason: expect.any(String) });
    expect((await harness.store.getState('itest')).champion).toMatchObject({ modelVersion: 2 });
  });

  it('deploys only the newest model approved while a deployment is in flight, after it', async () => {
    const v5 = await harness.registerPackage('itest', await harness.uploadModel('m/v5.tar.gz', 0.5), 'Approved');
    await harness.runtime.settle(); // v5 is requested; its canary bakes for a few seconds
    const v6 = await harness.registerPackage('itest', await harness.uploadModel('m/v6.tar.gz', 0.6), 'Approved');
    const v7 = await harness.registerPackage('itest', await harness.uploadModel('m/v7.tar.gz', 0.7), 'Approved');
    await harness.runtime.settle();
    const during = await harness.store.getState('itest');
    expect(during.inFlight?.modelVersion).toBe(v5.version);
    expect(during.queued).toEqual({ modelPackageArn: v7.arn, modelVersion: v7.version });

    await harness.settle();

    const state = await harness.store.getState('itest');
    expect(state.champion).toMatchObject({ modelVersion: v7.version });
    expect(state.previousChampions.map((c) => c.modelVersion)).toEqual([v5.version, 2]);
    const started = (await harness.lifecycleEvents())
      .filter((e) => e['detail-type'] === 'Deployment Started')
      .map((e) => e.detail.modelVersion);
    expect(started).toEqual([v5.version, v7.version]);
    expect(started).not.toContain(v6.version);
    expect(await harness.predict(ENDPOINT)).toEqual(['0.7', '0.7']);
  });

  it('deletes models and configs beyond the kept previous champions, never the ones in use', async () => {
    const { sagemaker } = harness.runtime.clients;
    const models = (await sagemaker.send(new ListModelsCommand({ NameContains: 'itest-v' }))).Models ?? [];
    const configs =
      (await sagemaker.send(new ListEndpointConfigsCommand({ NameContains: 'itest-v' }))).EndpointConfigs ?? [];
    const versionOf = (name: string | undefined) => Number(/^itest-v(\d+)-/.exec(name ?? '')?.[1]);
    // Champion v7 and previous v5 and v2 stay; v1 (an old champion), v3 and v4 (failed) are gone.
    expect(models.map((m) => versionOf(m.ModelName)).sort((a, b) => a - b)).toEqual([2, 5, 7]);
    expect(configs.map((c) => versionOf(c.EndpointConfigName)).sort((a, b) => a - b)).toEqual([2, 5, 7]);
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
    expect(versionOf(endpoint.EndpointConfigName)).toBe(7);
  });

  it('puts the previous champion back when the evaluation reports degradation with action rollback', async () => {
    const degraded = toPutEventsEntry(
      ModelDegraded,
      {
        pipeline: 'itest',
        evaluationId: 'eval-42',
        endpointName: ENDPOINT,
        modelVersion: 7,
        reportKey: 'evaluations/itest/eval-42.json',
        metric: 'roc_auc',
        bound: 'minimum',
        threshold: 0.6,
        value: 0.41,
        consecutiveWindows: 3,
        action: 'rollback',
      },
      harness.runtime.physicalId('DataPlaneBus'),
    );
    await harness.runtime.clients.eventbridge.send(new PutEventsCommand({ Entries: [degraded, degraded] }));
    await harness.settle();

    expect(await harness.predict(ENDPOINT)).toEqual(['0.5', '0.5']);
    const state = await harness.store.getState('itest');
    expect(state.champion).toMatchObject({ modelVersion: 5 });
    expect(state.previousChampions.map((c) => c.modelVersion)).toEqual([2]);
    const events = await harness.lifecycleEvents();
    expect(detailTypes(events)).toEqual(['Deployment Started', 'Deployment Succeeded']);
    expect(events[1]?.detail).toMatchObject({ modelVersion: 5, previousModelVersion: 7 });
  });

  it('reports Deployment Failed when a first endpoint cannot be created, deletes it, and creates it next time', async () => {
    await harness.registerPackage('broken', 's3://no-such-bucket/model.tar.gz', 'Approved');
    await harness.settle();

    const failed = await harness.lifecycleEvents();
    expect(detailTypes(failed)).toEqual(['Deployment Started', 'Deployment Failed']);
    expect(failed[1]?.detail).toMatchObject({ pipeline: 'broken', endpointName: 'broken', reason: expect.any(String) });
    expect((await harness.store.getState('broken')).champion).toBeUndefined();
    expect(await harness.runtime.endpoints.waitFor('broken')).toBeUndefined();

    await harness.registerPackage('broken', await harness.uploadModel('m/broken-ok.tar.gz', 0.1), 'Approved');
    await harness.settle();

    expect(await harness.predict('broken')).toEqual(['0.1', '0.1']);
    expect(detailTypes(await harness.lifecycleEvents())).toEqual(['Deployment Started', 'Deployment Succeeded']);
  });

  it('ended every delivery to the deploy function in success: nothing reached its dead-letter queue', () => {
    const outcomes = harness.runtime.dispatcher.history.map((d) => d.outcome);
    expect(outcomes.length).toBeGreaterThan(20);
    expect(outcomes.filter((o) => o.kind !== 'succeeded')).toEqual([]);
    const retried = outcomes.filter((o) => o.kind === 'succeeded' && o.attempts > 1).length;
    // Concurrent deliveries of one rollback may race for the endpoint once; the retry resumes the deployment.
    expect(retried).toBeLessThanOrEqual(2);
  });
});

/** Capture is written in batches (every few seconds locally, as on AWS); wait for the first file. */
async function waitForObject(bucket: string, prefix: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await harness.runtime.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const key = listed.Contents?.[0]?.Key;
    if (key !== undefined) return key;
    if (Date.now() > deadline) throw new Error(`nothing under s3://${bucket}/${prefix} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

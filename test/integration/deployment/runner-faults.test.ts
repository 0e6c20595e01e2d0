// Faults the emulator cannot produce (PutEvents refusing an entry, SageMaker throttling mid-deployment), injected
// at the runner's edges; the state is the real store on moto's DynamoDB. A retry of the failed invocation, as
// Lambda makes it, must finish the deployment and send each event exactly once.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeploymentRunner } from '../../../functions/deploy/deployment-runner';
import type { DeploymentConfigChoice, HostingApi } from '../../../functions/deploy/sagemaker-hosting';
import type { EndpointView } from '../../../functions/deployment/deployment-outcome';
import { deploymentSettings } from '../../../functions/deployment/deployment-settings';
import type { ModelPackageView } from '../../../functions/deployment/hosting-requests';
import type { PutEventsEntry } from '../../../functions/events/lifecycle';
import { DeploymentStore } from '../../../functions/metadata/deployment-store';
import { createMetadataTable } from '../setup/metadata-table';
import { useLocalAws } from '../setup/local-env';
import { testPipeline } from './deployment-harness';

const aws = await useLocalAws();
const TABLE = 'metadata';
const store = new DeploymentStore(
  DynamoDBDocumentClient.from(aws.clients.dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
  TABLE,
);

/** SageMaker as far as the runner sees it, with a switch to throttle the next call of an operation. */
class ScriptedHosting implements HostingApi {
  public readonly endpoints = new Map<string, EndpointView>();
  public readonly models = new Set<string>();
  public readonly calls: string[] = [];
  private readonly throttled = new Set<string>();

  public constructor(private readonly packages: ReadonlyMap<string, ModelPackageView>) {}

  public throttleNext(operation: string): void {
    this.throttled.add(operation);
  }

  private call(operation: string): void {
    this.calls.push(operation);
    if (this.throttled.delete(operation)) {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
  }

  public describeModelPackage(arn: string) {
    this.call('DescribeModelPackage');
    const pkg = this.packages.get(arn);
    if (pkg === undefined) throw new Error(`no package ${arn}`);
    return Promise.resolve(pkg);
  }
  public ensureModel(request: { ModelName: string }) {
    this.call('CreateModel');
    this.models.add(request.ModelName);
    return Promise.resolve();
  }
  public ensureEndpointConfig() {
    this.call('CreateEndpointConfig');
    return Promise.resolve();
  }
  public endpointConfigExists() {
    return Promise.resolve(true);
  }
  public describeEndpoint(name: string) {
    return Promise.resolve(this.endpoints.get(name));
  }
  public createEndpoint(name: string, endpointConfigName: string) {
    this.call('CreateEndpoint');
    this.endpoints.set(name, { endpointName: name, status: 'Creating', endpointConfigName });
    return Promise.resolve();
  }
  public updateEndpoint(name: string, endpointConfigName: string, _choice: DeploymentConfigChoice) {
    this.call('UpdateEndpoint');
    const current = this.endpoints.get(name);
    if (current === undefined || current.status !== 'InService') throw new Error('Cannot update in-progress endpoint');
    this.endpoints.set(name, { ...current, status: 'Updating', pendingEndpointConfigName: endpointConfigName });
    return Promise.resolve();
  }
  public deleteEndpoint(name: string) {
    this.endpoints.delete(name);
    return Promise.resolve();
  }
  public deleteModel(name: string) {
    this.models.delete(name);
    return Promise.resolve();
  }
  public deleteEndpointConfig() {
    return Promise.resolve();
  }

  /** The endpoint finishes its create or update: in service with the config it was given. */
  public finish(name: string): void {
    const endpoint = this.endpoints.get(name);
    if (endpoint === undefined) throw new Error(`no endpoint ${name}`);
    this.endpoints.set(name, {
      endpointName: name,
      status: 'InService',
      endpointConfigName: endpoint.pendingEndpointConfigName ?? endpoint.endpointConfigName,
      lastModifiedTime: new Date().toISOString(),
    });
  }
}

const pipeline = testPipeline('faults');
const arn = (v: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/faults/${v}`;
const pkg = (v: number): ModelPackageView => ({
  modelPackageArn: arn(v),
  modelPackageGroupName: 'faults',
  modelVersion: v,
  approvalStatus: 'Approved',
  containers: [{ image: 'img', modelDataUrl: `s3://m/v${v}.tar.gz` }],
});

function runnerWith(hosting: HostingApi, publish: (entry: PutEventsEntry) => Promise<void>) {
  return new DeploymentRunner({
    store,
    hosting,
    publish,
    busName: 'bus',
    settings: [deploymentSettings(pipeline, { stage: 'itest', networkIsolation: false })],
    resources: { executionRoleArn: 'arn:aws:iam::1:role/r', dataCaptureBucket: 'c', kmsKeyArn: 'k' },
  });
}

beforeAll(async () => {
  await createMetadataTable(aws.clients.dynamodb, TABLE);
});

describe('DeploymentRunner under faults', () => {
  it('sends each event once when PutEvents fails and Lambda retries the invocation', async () => {
    const hosting = new ScriptedHosting(new Map([[arn(1), pkg(1)]]));
    const sent: string[] = [];
    let failNext = true;
    const runner = runnerWith(hosting, (entry) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('PutEvents failed: InternalFailure'));
      }
      sent.push(entry.DetailType);
      return Promise.resolve();
    });
    const approval = { eventId: 'evt-1', modelPackageArn: arn(1), modelPackageGroupName: 'faults' };

    await expect(runner.onApproval(approval)).rejects.toThrow(/PutEvents failed/);
    await runner.onApproval(approval); // Lambda's retry: same event, same deployment
    hosting.finish('faults');
    await runner.onEndpointChange('faults');
    await runner.onEndpointChange('faults'); // a duplicated state change

    expect(sent).toEqual(['Deployment Started', 'Deployment Succeeded']);
    expect(hosting.calls.filter((c) => c === 'CreateEndpoint')).toHaveLength(1);
    expect((await store.getState('faults')).champion?.modelVersion).toBe(1);
  });

  it('resumes the same deployment after SageMaker throttled it, creating the model once', async () => {
    const hosting = new ScriptedHosting(new Map([[arn(2), pkg(2)]]));
    hosting.endpoints.set('faults', { endpointName: 'faults', status: 'InService', endpointConfigName: 'faults-v1-x' });
    const sent: string[] = [];
    const runner = runnerWith(hosting, (entry) => {
      sent.push(entry.DetailType);
      return Promise.resolve();
    });
    const approval = { eventId: 'evt-2', modelPackageArn: arn(2), modelPackageGroupName: 'faults' };
    hosting.throttleNext('UpdateEndpoint');

    await expect(runner.onApproval(approval)).rejects.toThrow(/Rate exceeded/);
    const stuck = await store.getState('faults');
    expect(stuck.inFlight).toMatchObject({ modelVersion: 2, requested: false });

    // An unrelated state change arrives before Lambda's retry: either moves the deployment on, once.
    await runner.onEndpointChange('faults');
    await runner.onApproval(approval);
    hosting.finish('faults');
    await runner.onEndpointChange('faults');

    // The throttled call, then exactly one that went through.
    expect(hosting.calls.filter((c) => c === 'UpdateEndpoint')).toHaveLength(2);
    expect([...hosting.models]).toHaveLength(1);
    expect(sent).toEqual(['Deployment Started', 'Deployment Succeeded']);
    const state = await store.getState('faults');
    expect(state.champion?.modelVersion).toBe(2);
    expect(state.previousChampions.map((c) => c.modelVersion)).toEqual([1]);
  });
});

import { parsePipelineConfig } from '../../../functions/config/load-pipelines';
import type { PipelineConfig } from '../../../functions/config/pipeline-config';
import type { InFlightDeployment, PipelineDeploymentState } from '../../../functions/deployment/deployment-state';
import { deploymentSettings, type DeploymentSettings } from '../../../functions/deployment/deployment-settings';
import type { ModelPackageView } from '../../../functions/deployment/hosting-requests';

/** A pipeline with canary deployment and a model-quality bound, as pipeline.yaml gives it. */
export function pipeline(extra = ''): PipelineConfig {
  return parsePipelineConfig(
    `
problemType: binary
target: label
data: { landingPrefix: incoming/ }
training:
  image: xgboost
  instanceType: ml.m5.large
  metricDefinitions: [{ name: 'validation:auc', regex: 'validation-auc:([0-9.]+)' }]
gate: { metric: 'validation:auc', direction: maximize }
deployment:
  instanceType: ml.m5.xlarge
  instanceCount: 2
  dataCapture: { samplingPercentage: 50 }
  strategy: { type: canary, canaryPercent: 25, waitSeconds: 120, terminationWaitSeconds: 60 }
  alarms: { modelLatencyP99Ms: 250, invocation5xxPercent: 2 }
  keepPrevious: 2
evaluation:
  schedule: rate(6 hours)
  degradation: { metric: roc_auc, minimum: 0.65 }
${extra}`,
    'pipelines/churn/pipeline.yaml',
    'churn',
  );
}

export const settings = (overrides: Partial<DeploymentSettings> = {}): DeploymentSettings => ({
  ...deploymentSettings(pipeline(), { stage: 'test', networkIsolation: false }),
  ...overrides,
});

export const ARN = (version: number) => `arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/${version}`;

export const pkg = (version: number, overrides: Partial<ModelPackageView> = {}): ModelPackageView => ({
  modelPackageArn: ARN(version),
  modelPackageGroupName: 'churn',
  modelVersion: version,
  approvalStatus: 'Approved',
  containers: [
    {
      image: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
      modelDataUrl: `s3://artifacts/models/churn/v${version}/model.tar.gz`,
    },
  ],
  ...overrides,
});

export const champion = (version: number) => ({
  modelPackageArn: ARN(version),
  modelVersion: version,
  endpointConfigName: `churn-v${version}-0000000${version}`,
});

export const inFlight = (version: number, overrides: Partial<InFlightDeployment> = {}): InFlightDeployment => ({
  deploymentId: `v${version}-abc`,
  sortKey: `DEPLOYMENT#2026-01-01T00:00:00.000Z#v${version}-abc`,
  trigger: 'approval',
  modelPackageArn: ARN(version),
  modelVersion: version,
  endpointConfigName: `churn-v${version}-0000000${version}`,
  previousEndpointConfigName: 'churn-v1-00000001',
  previousModelVersion: 1,
  claimedAt: '2026-01-01T00:00:00.000Z',
  lockExpiresAt: 2_000_000_000,
  requested: true,
  ...overrides,
});

export const state = (overrides: Partial<PipelineDeploymentState> = {}): PipelineDeploymentState => ({
  previousChampions: [],
  approvedVersion: 0,
  ...overrides,
});

import { describe, expect, it } from 'vitest';
import {
  dataCaptureS3Uri,
  endpointDeploymentConfig,
  hostingPlan,
  supportsVolumeKmsKey,
  VARIANT_NAME,
} from '../../../functions/deployment/hosting-requests';
import { pkg, settings } from './fixtures';

const RESOURCES = {
  executionRoleArn: 'arn:aws:iam::123456789012:role/sagemaker-execution',
  dataCaptureBucket: 'capture-bucket',
  kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k',
};

describe('hostingPlan', () => {
  it('creates the model from the package image and model data, with the execution role', () => {
    const { model } = hostingPlan(settings(), pkg(4), RESOURCES);
    expect(model).toMatchObject({
      ExecutionRoleArn: RESOURCES.executionRoleArn,
      PrimaryContainer: {
        Image: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
        ModelDataUrl: 's3://artifacts/models/churn/v4/model.tar.gz',
      },
      EnableNetworkIsolation: false,
      Tags: expect.arrayContaining([{ Key: 'mlops:pipeline', Value: 'churn' }]),
    });
    expect(model.VpcConfig).toBeUndefined();
    expect(model.ModelName).toMatch(/^churn-v4-[0-9a-f]{8}$/);
  });

  it('puts the model in the VPC with network isolation when configured', () => {
    const { model } = hostingPlan(
      settings({ vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] }, networkIsolation: true }),
      pkg(4),
      RESOURCES,
    );
    expect(model).toMatchObject({
      VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
      EnableNetworkIsolation: true,
    });
  });

  it('configures one production variant with data capture of input and output, encrypted, under the pipeline', () => {
    const { endpointConfig, model } = hostingPlan(settings(), pkg(4), RESOURCES);
    expect(endpointConfig.ProductionVariants).toEqual([
      {
        VariantName: VARIANT_NAME,
        ModelName: model.ModelName,
        InstanceType: 'ml.m5.xlarge',
        InitialInstanceCount: 2,
        InitialVariantWeight: 1,
      },
    ]);
    expect(endpointConfig.DataCaptureConfig).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 50,
      DestinationS3Uri: 's3://capture-bucket/churn',
      KmsKeyId: RESOURCES.kmsKeyArn,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: {
        CsvContentTypes: ['text/csv'],
        JsonContentTypes: ['application/json', 'application/jsonlines'],
      },
    });
    expect(endpointConfig.KmsKeyId).toBe(RESOURCES.kmsKeyArn);
    expect(dataCaptureS3Uri('b', 'p')).toBe('s3://b/p');
  });

  it('leaves out the volume key on instance types with local NVMe storage', () => {
    const { endpointConfig } = hostingPlan(
      settings({
        compute: { kind: 'instances', instanceType: 'ml.g4dn.xlarge', instanceCount: 1, samplingPercentage: 100 },
      }),
      pkg(4),
      RESOURCES,
    );
    expect(endpointConfig.KmsKeyId).toBeUndefined();
    expect(endpointConfig.DataCaptureConfig?.KmsKeyId).toBe(RESOURCES.kmsKeyArn);
    expect(['ml.m5.large', 'ml.c6g.xlarge', 'ml.inf1.xlarge'].map(supportsVolumeKmsKey)).toEqual([true, true, true]);
    expect(['ml.m5d.large', 'ml.c6id.xlarge', 'ml.p3dn.24xlarge', 'ml.g5.xlarge'].map(supportsVolumeKmsKey)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('gives a serverless variant and no capture for a serverless pipeline', () => {
    const { endpointConfig } = hostingPlan(
      settings({ compute: { kind: 'serverless', memorySizeMb: 2048, maxConcurrency: 5 } }),
      pkg(4),
      RESOURCES,
    );
    expect(endpointConfig.ProductionVariants[0]).toMatchObject({
      ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
    });
    expect(endpointConfig.ProductionVariants[0]?.InstanceType).toBeUndefined();
    expect(endpointConfig.DataCaptureConfig).toBeUndefined();
    expect(endpointConfig.KmsKeyId).toBeUndefined();
  });

  it('names resources the same for a redelivered approval and differently for another package or setting', () => {
    const a = hostingPlan(settings(), pkg(4), RESOURCES);
    expect(hostingPlan(settings(), pkg(4), RESOURCES)).toEqual(a);
    const otherData = hostingPlan(
      settings(),
      pkg(4, { containers: [{ image: 'img', modelDataUrl: 's3://x/other.tar.gz' }] }),
      RESOURCES,
    );
    expect(otherData.model.ModelName).not.toBe(a.model.ModelName);
    const moreInstances = hostingPlan(
      settings({
        compute: { kind: 'instances', instanceType: 'ml.m5.xlarge', instanceCount: 3, samplingPercentage: 50 },
      }),
      pkg(4),
      RESOURCES,
    );
    expect(moreInstances.model.ModelName).toBe(a.model.ModelName);
    expect(moreInstances.endpointConfig.EndpointConfigName).not.toBe(a.endpointConfig.EndpointConfigName);
  });

  it('passes the package container environment and serves several containers as a serial pipeline', () => {
    const { model } = hostingPlan(
      settings(),
      pkg(4, {
        containers: [
          { image: 'pre', environment: { MODE: 'x' } },
          { image: 'model', modelDataUrl: 's3://m/model.tar.gz' },
        ],
      }),
      RESOURCES,
    );
    expect(model.PrimaryContainer).toBeUndefined();
    expect(model.Containers).toEqual([
      { Image: 'pre', Environment: { MODE: 'x' } },
      { Image: 'model', ModelDataUrl: 's3://m/model.tar.gz' },
    ]);
    expect(model.InferenceExecutionConfig).toEqual({ Mode: 'Serial' });
  });

  it('refuses a package without a container', () => {
    expect(() => hostingPlan(settings(), pkg(4, { containers: [] }), RESOURCES)).toThrow(/no container/);
  });
});

describe('endpointDeploymentConfig', () => {
  it('is blue/green canary with the configured size, waits and rollback alarms', () => {
    expect(endpointDeploymentConfig(settings().strategy, ['a', 'b'])).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          WaitIntervalInSeconds: 120,
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 },
        },
        TerminationWaitInSeconds: 60,
        MaximumExecutionTimeoutInSeconds: 3600,
      },
      AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'a' }, { AlarmName: 'b' }] },
    });
  });

  it('is linear or all at once as configured, and names no alarms when there are none', () => {
    const times = { waitSeconds: 30, terminationWaitSeconds: 0, maximumExecutionTimeoutSeconds: 900 };
    expect(endpointDeploymentConfig({ type: 'linear', stepPercent: 20, ...times }, [])).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'LINEAR',
          WaitIntervalInSeconds: 30,
          LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 20 },
        },
        TerminationWaitInSeconds: 0,
        MaximumExecutionTimeoutInSeconds: 900,
      },
    });
    expect(
      endpointDeploymentConfig({ type: 'allAtOnce', ...times }, ['x']).BlueGreenUpdatePolicy
        .TrafficRoutingConfiguration,
    ).toEqual({ Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 30 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  deploymentSettings,
  parseDeploymentSettings,
  settingsForEndpoint,
  settingsForGroup,
} from '../../../functions/deployment/deployment-settings';
import { pipeline } from './fixtures';

describe('deploymentSettings', () => {
  it('derives what the deploy function needs from pipeline.yaml and the context, and survives the environment', () => {
    const settings = deploymentSettings(pipeline(), {
      stage: 'prod',
      networkIsolation: true,
      vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
    });
    expect(settings).toEqual({
      pipeline: 'churn',
      modelPackageGroupName: 'churn',
      endpointName: 'churn',
      compute: { kind: 'instances', instanceType: 'ml.m5.xlarge', instanceCount: 2, samplingPercentage: 50 },
      strategy: {
        type: 'canary',
        canaryPercent: 25,
        waitSeconds: 120,
        terminationWaitSeconds: 60,
        maximumExecutionTimeoutSeconds: 3600,
      },
      keepPrevious: 2,
      alarms: [
        { name: 'mlops-prod-churn-invocation-5xx', kind: 'invocation5xx' },
        { name: 'mlops-prod-churn-model-latency-p99', kind: 'modelLatency' },
        { name: 'mlops-prod-churn-model-quality-roc_auc-below', kind: 'modelQuality' },
      ],
      vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
      networkIsolation: true,
    });
    const [back] = parseDeploymentSettings(JSON.stringify([settings]));
    expect(back).toEqual(settings);
    expect(settingsForGroup([settings], 'churn')).toBe(settings);
    expect(settingsForEndpoint([settings], 'other')).toBeUndefined();
  });

  it('takes serverless capacity and no VPC for a serverless endpoint', () => {
    const p = pipeline();
    const serverless = {
      ...p,
      deployment: {
        ...p.deployment,
        instanceType: undefined,
        instanceCount: undefined,
        dataCapture: undefined,
        serverless: { memorySizeMb: 3072, maxConcurrency: 4 },
      },
    };
    const settings = deploymentSettings(serverless, {
      stage: 'dev',
      networkIsolation: false,
      vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
    });
    expect(settings.compute).toEqual({ kind: 'serverless', memorySizeMb: 3072, maxConcurrency: 4 });
    expect(settings.vpc).toBeUndefined();
  });

  it('refuses settings that do not have the expected shape (a deployment fault, at init)', () => {
    expect(() => parseDeploymentSettings('[{"pipeline":"churn"}]')).toThrow();
  });
});

import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { parsePipelineConfig } from '../../functions/config/load-pipelines';
import { DEPLOYER_ENV } from '../../functions/deploy/environment';
import { parseDeploymentSettings } from '../../functions/deployment/deployment-settings';
import { DataPlane } from '../../lib/data-plane';
import { Deployment } from '../../lib/deployment';
import { Observability } from '../../lib/observability';
import { cdkJsonContext } from './cdk-context';
import { synthExampleApp } from './stack-fixture';

const { template, stack } = synthExampleApp();
const deployerId = stack.getLogicalId(stack.deployment.deployer.function.node.defaultChild as never);
const executionRoleId = stack.getLogicalId(stack.dataPlane.sageMakerExecutionRole.node.defaultChild as never);

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** Every statement of the deployer's policies (minimizePolicies may merge them). */
function deployerStatements(): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes('DeploymentDeployerRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => [s.Action].flat();

describe('Deployment', () => {
  it('routes approvals of the pipeline group and its endpoint state changes, on the default bus, to the deployer', () => {
    const target = Match.arrayWith([
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [deployerId, 'Arn'] },
        DeadLetterConfig: Match.anyValue(),
        RetryPolicy: Match.anyValue(),
      }),
    ]);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: ['churn'], ModelApprovalStatus: ['Approved'] },
      },
      Targets: target,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Endpoint State Change'],
        detail: { EndpointName: ['churn'] },
      },
      Targets: target,
    });
  });

  it('creates the 5XX, latency and model-quality rollback alarms of each endpoint, named as the deployer names them', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const byName = new Map(Object.values(alarms).map((a) => [a.Properties.AlarmName as string, a.Properties]));
    const fiveXx = byName.get('mlops-dev-churn-invocation-5xx');
    expect(fiveXx).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
    const metrics: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[] =
      fiveXx?.Metrics ?? [];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('IF(invocations > 0, 100 * errors / invocations, 0)');
    expect(metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : [])).sort()).toEqual([
      'Invocation5XXErrors',
      'Invocations',
    ]);
    expect(byName.get('mlops-dev-churn-model-latency-p99')).toMatchObject({
      Namespace: 'AWS/SageMaker',
      MetricName: 'ModelLatency',
      ExtendedStatistic: 'p99',
      // 500 ms in pipeline.yaml; ModelLatency is in microseconds.
      Threshold: 500_000,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: expect.arrayContaining([
        { Name: 'EndpointName', Value: 'churn' },
        { Name: 'VariantName', Value: 'AllTraffic' },
      ]),
    });
    expect(byName.get('mlops-dev-churn-model-quality-roc_auc-below')).toMatchObject({
      Namespace: 'MLOps/ModelQuality',
      MetricName: 'roc_auc',
      Threshold: 0.7,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
      Period: 3600,
      Dimensions: expect.arrayContaining([
        { Name: 'Pipeline', Value: 'churn' },
        { Name: 'EndpointName', Value: 'churn' },
      ]),
    });
    const env = template.findResources('AWS::Lambda::Function')[deployerId]?.Properties.Environment.Variables;
    const [settings] = parseDeploymentSettings(env[DEPLOYER_ENV.pipelines]);
    expect(settings?.alarms.map((a) => a.name)).toEqual([
      'mlops-dev-churn-invocation-5xx',
      'mlops-dev-churn-model-latency-p99',
      'mlops-dev-churn-model-quality-roc_auc-below',
    ]);
  });

  it('lets the deployer pass only the SageMaker execution role, and only to SageMaker', () => {
    const passRole = deployerStatements().filter((s) => actionsOf(s).includes('iam:PassRole'));
    expect(passRole).toEqual([
      expect.objectContaining({
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [executionRoleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    ]);
  });

  it('grants SageMaker actions by name, on the pipeline resources only, in lower case', () => {
    const sagemaker = deployerStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('sagemaker:')));
    expect(sagemaker.flatMap(actionsOf).filter((a) => a.includes('*'))).toEqual([]);
    const resources = JSON.stringify(sagemaker.map((s) => s.Resource));
    expect(resources).toContain(':model/churn-v*');
    expect(resources).toContain(':endpoint-config/churn-v*');
    expect(resources).toContain(':endpoint/churn');
    expect(resources).toContain(':model-package/churn/*');
    expect(resources).not.toMatch(/"\*"/);
  });

  it('rolls back on Model Degraded with action rollback only for pipelines that ask for it', () => {
    const ruleOn = (t: Template) =>
      Object.values(t.findResources('AWS::Events::Rule')).filter(
        (r) =>
          JSON.stringify(r.Properties.Targets).includes('DeploymentDeployer') &&
          JSON.stringify(r.Properties.EventPattern ?? {}).includes('Model Degraded'),
      );
    // The example pipeline retrains on degradation: no rollback rule.
    expect(ruleOn(template)).toEqual([]);

    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const test = new Stack(app, 'RollbackOnDegradation');
    const dataPlane = new DataPlane(test, 'DataPlane', { stage: 'itest' });
    const observability = new Observability(test, 'Observability', { stage: 'itest', encryptionKey: dataPlane.key });
    new Deployment(test, 'Deployment', {
      dataPlane,
      observability,
      stage: 'itest',
      environment: { networkIsolation: false },
      pipelines: [
        parsePipelineConfig(
          `
problemType: binary
target: label
data: { landingPrefix: incoming/ }
training:
  image: xgboost
  instanceType: ml.m5.large
  metricDefinitions: [{ name: 'validation:auc', regex: 'validation-auc:([0-9.]+)' }]
gate: { metric: 'validation:auc', direction: maximize }
deployment: { instanceType: ml.m5.large }
evaluation:
  schedule: rate(1 hour)
  degradation: { metric: roc_auc, minimum: 0.6 }
  onDegradation: rollback
`,
          'pipelines/fraud/pipeline.yaml',
          'fraud',
        ),
      ],
    });
    const [rule] = ruleOn(Template.fromStack(test));
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['mlops.evaluation'],
      'detail-type': ['Model Degraded'],
      detail: { pipeline: ['fraud'], action: ['rollback'] },
    });
    expect(rule?.Properties.EventBusName).toBeDefined();
    expect(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('hands the deployer its settings: endpoint, strategy, capture sampling, keepPrevious', () => {
    const fn = template.findResources('AWS::Lambda::Function')[deployerId];
    expect(fn?.Metadata['mlops:entry']).toBe('functions/deploy/handler.ts');
    const [settings] = parseDeploymentSettings(fn?.Properties.Environment.Variables[DEPLOYER_ENV.pipelines]);
    expect(settings).toMatchObject({
      pipeline: 'churn',
      modelPackageGroupName: 'churn',
      endpointName: 'churn',
      compute: { kind: 'instances', instanceType: 'ml.m5.large', instanceCount: 1, samplingPercentage: 100 },
      strategy: { type: 'canary', canaryPercent: 10, waitSeconds: 300 },
      keepPrevious: 3,
      networkIsolation: false,
    });
  });
});

import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EnvironmentContext } from '../functions/config/environment-context';
import type { PipelineConfig } from '../functions/config/pipeline-config';
import { DEPLOYER_ENV } from '../functions/deploy/environment';
import { deploymentSettings } from '../functions/deployment/deployment-settings';
import { rollbackAlarmSpecs, type AlarmMetric, type MetricSpec } from '../functions/deployment/rollback-alarms';
import { rollbackPipelines, rollbackTriggerPattern } from '../functions/deployment/rollback-triggers';
import { endpointStateChangePattern, modelPackageApprovedPattern } from '../functions/events/aws-sagemaker';
import { DriftDetected, ModelDegraded } from '../functions/events/lifecycle';
import { acknowledge } from './acknowledge';
import type { DataPlane } from './data-plane';
import { acknowledgeActionsWithoutResourceTypes, nagResourceId } from './grants';
import { MlopsFunction } from './mlops-function';
import type { Observability } from './observability';

export interface DeploymentProps {
  readonly dataPlane: DataPlane;
  readonly observability: Observability;
  readonly stage: string;
  /** Pipelines whose approved models are deployed; validated by `loadPipelines`. */
  readonly pipelines: readonly PipelineConfig[];
  /** VPC and network isolation of the endpoints' models (CDK context). */
  readonly environment: Pick<EnvironmentContext, 'vpc' | 'networkIsolation'>;
  /**
   * How long EventBridge and Lambda keep an undelivered event before it goes to the dead-letter queue.
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
}

/** Lambda's limit for all environment variables together is 4 KB; the settings must leave room for the others. */
const MAX_SETTINGS_BYTES = 3000;

/**
 * Deployment behind guardrails: the deploy function, its rules (a model package of a pipeline's group approved,
 * the pipeline's endpoint changing state, the evaluation asking for a rollback), the per-endpoint CloudWatch
 * alarms that roll a deployment back, and exactly the permissions the function uses. Wiring only: names,
 * requests, decisions and alarm definitions live in `functions/deployment/`.
 */
export class Deployment extends Construct {
  /** Deploys approved models, promotes champions, rolls back. */
  public readonly deployer: MlopsFunction;
  /** Rules that invoke the deployer. */
  public readonly rules: readonly events.Rule[];
  /** Rollback alarms by pipeline name, in the order the deployer names them to SageMaker. */
  public readonly rollbackAlarms: Readonly<Record<string, readonly cloudwatch.Alarm[]>>;

  public constructor(scope: Construct, id: string, props: DeploymentProps) {
    super(scope, id);
    if (props.pipelines.length === 0) throw new Error('Deployment needs at least one pipeline, got none');
    const { dataPlane, stage } = props;
    const settings = props.pipelines.map((p) => deploymentSettings(p, { stage, ...props.environment }));
    const settingsJson = JSON.stringify(settings);
    this.node.addValidation({
      validate: () =>
        settingsJson.length <= MAX_SETTINGS_BYTES
          ? []
          : [
              `the deployment settings of ${props.pipelines.length} pipelines take ${settingsJson.length} bytes of environment (max ${MAX_SETTINGS_BYTES})`,
            ],
    });
    const maxEventAge = props.maxEventAge ?? Duration.hours(6);

    this.deployer = new MlopsFunction(this, 'Deployer', {
      entry: 'functions/deploy/handler.ts',
      description: 'Deploys approved models behind SageMaker deployment guardrails; promotes champions; rolls back',
      encryptionKey: dataPlane.key,
      stage,
      timeout: Duration.minutes(2),
      environment: {
        [DEPLOYER_ENV.metadataTable]: dataPlane.metadataTable.tableName,
        [DEPLOYER_ENV.eventBusName]: dataPlane.bus.eventBusName,
        [DEPLOYER_ENV.executionRoleArn]: dataPlane.sageMakerExecutionRole.roleArn,
        [DEPLOYER_ENV.dataCaptureBucket]: dataPlane.dataCaptureBucket.bucketName,
        [DEPLOYER_ENV.kmsKeyArn]: dataPlane.key.keyArn,
        [DEPLOYER_ENV.pipelines]: settingsJson,
      },
      maxEventAge,
    });

    const alarmAction = new actions.SnsAction(props.observability.alarmTopic);
    const alarms: Record<string, cloudwatch.Alarm[]> = {};
    for (const pipeline of props.pipelines) {
      alarms[pipeline.name] = rollbackAlarmSpecs(pipeline, stage).map((spec) => {
        const alarm = new cloudwatch.Alarm(this, `${pipeline.name}-${spec.key}`, {
          alarmName: spec.alarmName,
          alarmDescription: spec.description,
          metric: toCloudWatchMetric(spec.metric),
          threshold: spec.threshold,
          comparisonOperator:
            spec.comparison === 'GreaterThanThreshold'
              ? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
              : cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: spec.evaluationPeriods,
          datapointsToAlarm: spec.datapointsToAlarm,
          // No traffic, or no evaluation run in the period, is no reason to roll back.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        alarm.addAlarmAction(alarmAction);
        alarm.addOkAction(alarmAction);
        return alarm;
      });
    }
    this.rollbackAlarms = alarms;

    const target = new targets.LambdaFunction(this.deployer.function, {
      deadLetterQueue: this.deployer.deadLetterQueue,
      maxEventAge,
      retryAttempts: 8,
    });
    const rules: events.Rule[] = [
      // SageMaker puts its events on the default bus.
      new events.Rule(this, 'OnModelPackageApproved', {
        description: 'A model package of a pipeline group is approved (registry, Studio or CLI)',
        eventPattern: modelPackageApprovedPattern(settings.map((s) => s.modelPackageGroupName)),
        targets: [target],
      }),
      new events.Rule(this, 'OnEndpointStateChange', {
        description: 'A pipeline endpoint changed state (a deployment may have ended)',
        eventPattern: endpointStateChangePattern(settings.map((s) => s.endpointName)),
        targets: [target],
      }),
    ];
    const rollback = rollbackPipelines(props.pipelines);
    for (const [ruleId, def, pipelines] of [
      ['OnModelDegradedRollback', ModelDegraded, rollback.onDegradation],
      ['OnDriftDetectedRollback', DriftDetected, rollback.onDrift],
    ] as const) {
      if (pipelines.length === 0) continue;
      rules.push(
        new events.Rule(this, ruleId, {
          eventBus: dataPlane.bus,
          description: `${def.detailType} with action rollback: redeploy the previous champion`,
          eventPattern: rollbackTriggerPattern(def, pipelines),
          targets: [target],
        }),
      );
    }
    this.rules = rules;

    this.grantRuntimeAccess(props, settings, Object.values(alarms).flat());
    props.observability.monitorFunction(this.deployer);
  }

  /** Exactly what the handler calls, on exactly the resources of the configured pipelines. */
  private grantRuntimeAccess(
    props: DeploymentProps,
    settings: readonly { pipeline: string; modelPackageGroupName: string; endpointName: string }[],
    alarms: readonly cloudwatch.Alarm[],
  ): void {
    const stack = Stack.of(this);
    const { dataPlane } = props;
    const role = this.deployer.role;
    // SageMaker writes resource names in lower case into ARNs, and IAM compares ARNs as written.
    const arn = (resource: string, name: string) =>
      stack.formatArn({ service: 'sagemaker', resource, resourceName: name.toLowerCase() });
    const models = settings.map((s) => arn('model', `${s.pipeline}-v*`));
    const configs = settings.map((s) => arn('endpoint-config', `${s.pipeline}-v*`));
    const endpoints = settings.map((s) => arn('endpoint', s.endpointName));
    const packages = settings.map((s) => arn('model-package', `${s.modelPackageGroupName}/*`));

    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadApprovedPackages',
        actions: ['sagemaker:DescribeModelPackage'],
        resources: packages,
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'Models',
        actions: ['sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:DeleteModel', 'sagemaker:AddTags'],
        resources: models,
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EndpointConfigs',
        actions: [
          'sagemaker:CreateEndpointConfig',
          'sagemaker:DescribeEndpointConfig',
          'sagemaker:DeleteEndpointConfig',
          'sagemaker:AddTags',
        ],
        resources: configs,
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'Endpoints',
        actions: [
          'sagemaker:CreateEndpoint',
          'sagemaker:UpdateEndpoint',
          'sagemaker:DescribeEndpoint',
          'sagemaker:DeleteEndpoint',
          'sagemaker:AddTags',
        ],
        resources: endpoints,
      }),
    );
    // CreateEndpoint and UpdateEndpoint are authorised on the endpoint config too.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeployConfigs',
        actions: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint'],
        resources: configs,
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassExecutionRoleToSageMakerOnly',
        actions: ['iam:PassRole'],
        resources: [dataPlane.sageMakerExecutionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    // The endpoint's storage volume and data capture are encrypted with the key; SageMaker creates grants on it
    // for the caller of CreateEndpoint/UpdateEndpoint.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EndpointKeyGrants',
        actions: ['kms:CreateGrant', 'kms:DescribeKey'],
        resources: [dataPlane.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `sagemaker.${stack.region}.amazonaws.com` },
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
        },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeploymentState',
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
          'dynamodb:ConditionCheckItem',
        ],
        resources: [dataPlane.metadataTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PIPELINE#*'] } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LifecycleEvents',
        actions: ['events:PutEvents'],
        resources: [dataPlane.bus.eventBusArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RollbackAlarmStates',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: alarms.map((a) => a.alarmArn),
      }),
    );

    for (const pattern of [...models, ...configs, ...packages]) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::${nagResourceId(stack, pattern)}]`,
        'Models and endpoint configs are named <pipeline>-v<version>-<fingerprint> and package versions <group>/<n> at run time; the pattern is limited to one pipeline.',
      );
    }
    acknowledgeActionsWithoutResourceTypes(role, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
  }
}

function toMetric(spec: MetricSpec): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensionsMap: { ...spec.dimensions },
    statistic: spec.statistic,
    period: Duration.seconds(spec.periodSeconds),
  });
}

function toCloudWatchMetric(metric: AlarmMetric): cloudwatch.IMetric {
  if (metric.kind === 'metric') return toMetric(metric);
  return new cloudwatch.MathExpression({
    expression: metric.expression,
    label: metric.label,
    period: Duration.seconds(metric.periodSeconds),
    usingMetrics: Object.fromEntries(Object.entries(metric.metrics).map(([id, spec]) => [id, toMetric(spec)])),
  });
}

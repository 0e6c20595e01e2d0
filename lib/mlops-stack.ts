import { RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentContext } from '../functions/config/environment-context';
import type { PipelineConfig } from '../functions/config/pipeline-config';
import { ContractCheck } from './contract-check';
import { DataPlane } from './data-plane';
import { Deployment } from './deployment';
import { Evaluation } from './evaluation';
import { Notifications } from './notifications';
import { Observability } from './observability';
import { addEvaluatorOutput, addStackOutputs } from './stack-outputs';
import { Training } from './training';

export interface MlopsStackProps extends StackProps {
  /** Pipeline configurations, already validated by `loadPipelines`. */
  readonly pipelines: readonly PipelineConfig[];
  /** Environment values from CDK context, already validated by `parseEnvironmentContext`. */
  readonly environment: EnvironmentContext;
}

/**
 * One deployment of the system: the data plane and observability shared by every pipeline, and one construct
 * per capability. Wiring only; thresholds, parsing and AWS calls live under `functions/`.
 */
export class MlopsStack extends Stack {
  public readonly dataPlane: DataPlane;
  public readonly observability: Observability;
  public readonly contractCheck: ContractCheck;
  public readonly notifications: Notifications;
  public readonly training: Training;
  public readonly deployment: Deployment;
  public readonly evaluation: Evaluation;
  public readonly pipelines: readonly PipelineConfig[];

  public constructor(scope: Construct, id: string, props: MlopsStackProps) {
    super(scope, id, props);
    this.pipelines = props.pipelines;
    this.node.addValidation({
      validate: () => (props.pipelines.length > 0 ? [] : ['MlopsStack needs at least one pipeline']),
    });
    const { stage } = props.environment;
    const removalPolicy = props.environment.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    Tags.of(this).add('mlops:stage', stage);

    this.dataPlane = new DataPlane(this, 'DataPlane', {
      stage,
      removalPolicy,
      slackSecretName: props.environment.slackSecretName,
    });
    addStackOutputs(this, this.dataPlane);
    this.observability = new Observability(this, 'Observability', {
      stage,
      encryptionKey: this.dataPlane.key,
      alarmEmail: props.environment.alarmEmail,
    });
    this.contractCheck = new ContractCheck(this, 'ContractCheck', {
      dataPlane: this.dataPlane,
      observability: this.observability,
      stage,
      pipelines: props.pipelines,
    });
    this.training = new Training(this, 'Training', {
      dataPlane: this.dataPlane,
      observability: this.observability,
      environment: props.environment,
      pipelines: props.pipelines,
    });
    this.notifications = new Notifications(this, 'Notifications', {
      bus: this.dataPlane.bus,
      metadataTable: this.dataPlane.metadataTable,
      key: this.dataPlane.key,
      webhookSecret: this.dataPlane.slackWebhookSecret,
      observability: this.observability,
      stage,
      pipelines: props.pipelines,
      artifactsBucket: this.dataPlane.artifactsBucket,
      quarantineBucket: this.dataPlane.quarantineBucket,
    });
    this.deployment = new Deployment(this, 'Deployment', {
      dataPlane: this.dataPlane,
      observability: this.observability,
      stage,
      pipelines: props.pipelines,
      environment: props.environment,
    });
    this.evaluation = new Evaluation(this, 'Evaluation', {
      dataPlane: this.dataPlane,
      observability: this.observability,
      stage,
      pipelines: props.pipelines,
    });
    addEvaluatorOutput(this, this.evaluation.evaluator.function.functionName);
  }
}

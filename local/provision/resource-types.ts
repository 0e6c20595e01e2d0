import { provisionCloudWatchAlarm } from './cloudwatch-alarms';
import { provisionDynamoDbGlobalTable, provisionDynamoDbTable } from './dynamodb-tables';
import { provisionEventArchive, provisionEventBus } from './event-buses';
import { provisionEventRule, provisionSchedulerSchedule } from './event-rules';
import { provisionKmsAlias, provisionKmsKey } from './kms-keys';
import { provisionEventInvokeConfig, provisionEventSourceMapping, provisionLambdaFunction } from './lambda-functions';
import type { ResourceHandler } from './resource-context';
import { provisionBucketNotifications, provisionS3Bucket } from './s3-buckets';
import { provisionModelPackageGroup } from './sagemaker-registry';
import { provisionSecret } from './secrets';
import { provisionSqsQueue } from './sqs-queues';

/** Resource types the provisioner creates in the emulator or registers for the local runtime. */
export const HANDLED_TYPES: Readonly<Record<string, ResourceHandler>> = {
  'AWS::KMS::Key': provisionKmsKey,
  'AWS::KMS::Alias': provisionKmsAlias,
  'AWS::S3::Bucket': provisionS3Bucket,
  'Custom::S3BucketNotifications': provisionBucketNotifications,
  'AWS::DynamoDB::Table': provisionDynamoDbTable,
  'AWS::DynamoDB::GlobalTable': provisionDynamoDbGlobalTable,
  'AWS::Events::EventBus': provisionEventBus,
  'AWS::Events::Archive': provisionEventArchive,
  'AWS::Events::Rule': provisionEventRule,
  'AWS::Scheduler::Schedule': provisionSchedulerSchedule,
  'AWS::SQS::Queue': provisionSqsQueue,
  'AWS::SecretsManager::Secret': provisionSecret,
  'AWS::Lambda::Function': provisionLambdaFunction,
  'AWS::Lambda::EventInvokeConfig': provisionEventInvokeConfig,
  'AWS::Lambda::EventSourceMapping': provisionEventSourceMapping,
  'AWS::CloudWatch::Alarm': provisionCloudWatchAlarm,
  'AWS::SageMaker::ModelPackageGroup': provisionModelPackageGroup,
};

const IAM = 'IAM is not enforced by the emulator';
const RESOURCE_POLICY = 'resource policies are not enforced by the emulator';
const NETWORK = 'networking has no meaning on one local machine';
const SAGEMAKER_RUNTIME =
  'SageMaker models, endpoints and jobs are created at run time by the handlers and the local executor';

/** Resource types that are knowingly not provisioned, with the reason the report gives. */
export const IGNORED_TYPES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': IAM,
  'AWS::IAM::Policy': IAM,
  'AWS::IAM::ManagedPolicy': IAM,
  'AWS::IAM::InstanceProfile': IAM,
  'AWS::S3::BucketPolicy': RESOURCE_POLICY,
  'AWS::SQS::QueuePolicy': RESOURCE_POLICY,
  'AWS::SNS::TopicPolicy': RESOURCE_POLICY,
  'AWS::Events::EventBusPolicy': RESOURCE_POLICY,
  'AWS::KMS::ReplicaKey': 'there is one local region',
  'AWS::Lambda::Permission': 'the local dispatcher invokes functions directly; invoke permissions are not enforced',
  'AWS::Lambda::Version': 'the local runtime runs the TypeScript entry; versions do not exist locally',
  'AWS::Lambda::Alias': 'the local runtime runs the TypeScript entry; aliases do not exist locally',
  'AWS::Lambda::LayerVersion': 'the local runtime loads dependencies from node_modules',
  'AWS::Logs::LogGroup': 'local functions log to the console and log files',
  'AWS::Logs::MetricFilter': 'log metric filters are not evaluated locally',
  'AWS::Logs::SubscriptionFilter': 'log subscriptions are not run locally',
  'AWS::CloudWatch::Dashboard': 'dashboards have no local behaviour',
  'AWS::CloudWatch::CompositeAlarm': 'moto answers PutCompositeAlarm with HTTP 500',
  'AWS::SNS::Topic': 'alarm actions and notifications are not run by the emulator (MOTO.md 5)',
  'AWS::SNS::Subscription': 'alarm actions and notifications are not run by the emulator (MOTO.md 5)',
  'AWS::Scheduler::ScheduleGroup': 'schedules run in the local scheduler, which needs no groups',
  'AWS::SageMaker::Model': SAGEMAKER_RUNTIME,
  'AWS::SageMaker::EndpointConfig': SAGEMAKER_RUNTIME,
  'AWS::SageMaker::Endpoint': SAGEMAKER_RUNTIME,
  'AWS::SageMaker::MonitoringSchedule': SAGEMAKER_RUNTIME,
  'AWS::SageMaker::Pipeline': SAGEMAKER_RUNTIME,
  'AWS::EC2::VPC': NETWORK,
  'AWS::EC2::Subnet': NETWORK,
  'AWS::EC2::SecurityGroup': NETWORK,
  'AWS::EC2::SecurityGroupIngress': NETWORK,
  'AWS::EC2::SecurityGroupEgress': NETWORK,
  'AWS::EC2::RouteTable': NETWORK,
  'AWS::EC2::Route': NETWORK,
  'AWS::EC2::SubnetRouteTableAssociation': NETWORK,
  'AWS::EC2::InternetGateway': NETWORK,
  'AWS::EC2::VPCGatewayAttachment': NETWORK,
  'AWS::EC2::NatGateway': NETWORK,
  'AWS::EC2::EIP': NETWORK,
  'AWS::EC2::VPCEndpoint': NETWORK,
  'AWS::EC2::FlowLog': NETWORK,
  'AWS::CDK::Metadata': 'CDK version reporting',
  'Custom::S3AutoDeleteObjects':
    'CDK custom resource that empties a bucket on stack deletion; local state is discarded with the emulator',
  'Custom::LogRetention': 'CDK custom resource for log retention; logs are local files',
  'Custom::CDKBucketDeployment':
    'CDK custom resource that copies assets into a bucket; the local runtime does not upload assets (seed the bucket in the test or demo)',
};

/** `Ref` value and attributes of an ignored resource, so references to it (e.g. a role ARN in an env var) resolve. */
export function placeholderFor(
  type: string,
  name: string,
  env: { readonly partition: string; readonly region: string; readonly accountId: string },
): { physicalId: string; attributes: Record<string, string> } {
  const { partition, region, accountId } = env;
  switch (type) {
    case 'AWS::IAM::Role':
      return {
        physicalId: name,
        attributes: {
          Arn: `arn:${partition}:iam::${accountId}:role/${name}`,
          RoleId: `AROA${name.slice(0, 17).toUpperCase()}`,
        },
      };
    case 'AWS::IAM::ManagedPolicy': {
      const arn = `arn:${partition}:iam::${accountId}:policy/${name}`;
      return { physicalId: arn, attributes: { PolicyArn: arn } };
    }
    case 'AWS::IAM::InstanceProfile':
      return { physicalId: name, attributes: { Arn: `arn:${partition}:iam::${accountId}:instance-profile/${name}` } };
    case 'AWS::Logs::LogGroup':
      return {
        physicalId: name,
        attributes: { Arn: `arn:${partition}:logs:${region}:${accountId}:log-group:${name}:*` },
      };
    case 'AWS::SNS::Topic': {
      const arn = `arn:${partition}:sns:${region}:${accountId}:${name}`;
      return { physicalId: arn, attributes: { TopicArn: arn, TopicName: name } };
    }
    case 'AWS::SageMaker::Model':
      return { physicalId: name, attributes: { ModelName: name } };
    case 'AWS::SageMaker::EndpointConfig':
      return { physicalId: name, attributes: { EndpointConfigName: name } };
    case 'AWS::SageMaker::Endpoint':
      return { physicalId: name, attributes: { EndpointName: name } };
    default:
      return { physicalId: name, attributes: {} };
  }
}

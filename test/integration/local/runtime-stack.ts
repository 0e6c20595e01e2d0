import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { s3ObjectCreatedPattern } from '../../../functions/events/aws-s3';
import { endpointStateChangePattern, trainingJobStateChangePattern } from '../../../functions/events/aws-sagemaker';
import { DataPlane } from '../../../lib/data-plane';
import { MlopsFunction } from '../../../lib/mlops-function';
import { cdkJsonContext } from '../../infra/cdk-context';

export const STACK_NAME = 'LocalRuntimeTest';

/**
 * A stack built from the project's own constructs (the real data plane and function factory) with rules of the
 * shapes the capabilities use: S3 Object Created under a prefix, SageMaker training job and endpoint state changes.
 */
export function synthesizeRuntimeStack(outdir: string): void {
  const app = new App({
    outdir,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, STACK_NAME);
  const dataPlane = new DataPlane(stack, 'DataPlane', { stage: 'itest' });
  const recorder = new MlopsFunction(stack, 'Recorder', {
    entry: 'test/fixtures/functions/recorder/handler.ts',
    description: 'records what it receives',
    encryptionKey: dataPlane.key,
    stage: 'itest',
    timeout: Duration.seconds(20),
  });
  const target = new targets.LambdaFunction(recorder.function, {
    deadLetterQueue: recorder.deadLetterQueue,
    retryAttempts: 4,
  });
  new events.Rule(stack, 'OnLandingData', {
    eventPattern: s3ObjectCreatedPattern(dataPlane.landingBucket.bucketName, ['incoming/']),
    targets: [target],
  });
  new events.Rule(stack, 'OnTrainingJobEnd', {
    eventPattern: trainingJobStateChangePattern(['itest-'], ['Completed', 'Failed', 'Stopped']),
    targets: [target],
  });
  new events.Rule(stack, 'OnEndpointChange', {
    eventPattern: endpointStateChangePattern(['itest-endpoint']),
    targets: [target],
  });
  new events.Rule(stack, 'Hourly', { schedule: events.Schedule.rate(Duration.hours(1)), targets: [target] });
  app.synth();
}

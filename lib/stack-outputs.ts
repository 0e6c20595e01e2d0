import { CfnOutput, type Stack } from 'aws-cdk-lib';
import { OPTIONAL_STACK_OUTPUTS, STACK_OUTPUTS } from '../functions/config/stack-outputs';
import type { DataPlane } from './data-plane';

/** Adds the outputs the `mlops` CLI reads (functions/config/stack-outputs.ts), with fixed logical ids. */
export function addStackOutputs(stack: Stack, dataPlane: DataPlane): void {
  const values: Record<keyof typeof STACK_OUTPUTS, { value: string; description: string }> = {
    metadataTableName: { value: dataPlane.metadataTable.tableName, description: 'Metadata table (runs, models, ...)' },
    eventBusName: { value: dataPlane.bus.eventBusName, description: "The project's event bus" },
    artifactsBucketName: { value: dataPlane.artifactsBucket.bucketName, description: 'Reports, manifests, models' },
    landingBucketName: { value: dataPlane.landingBucket.bucketName, description: 'Where data files land' },
    quarantineBucketName: { value: dataPlane.quarantineBucket.bucketName, description: 'Rejected data files' },
    dataCaptureBucketName: { value: dataPlane.dataCaptureBucket.bucketName, description: 'Endpoint data capture' },
    groundTruthBucketName: { value: dataPlane.groundTruthBucket.bucketName, description: 'Ground-truth labels' },
    sageMakerExecutionRoleArn: {
      value: dataPlane.sageMakerExecutionRole.roleArn,
      description: 'Role SageMaker jobs and endpoints run as',
    },
  };
  for (const [key, output] of Object.entries(values)) {
    const name = STACK_OUTPUTS[key as keyof typeof STACK_OUTPUTS];
    new CfnOutput(stack, name, { value: output.value, description: output.description });
  }
}

/** Adds the output naming the evaluation function (`mlops evaluate <pipeline>` invokes it). */
export function addEvaluatorOutput(stack: Stack, functionName: string): void {
  new CfnOutput(stack, OPTIONAL_STACK_OUTPUTS.evaluatorFunctionName, {
    value: functionName,
    description: 'Scheduled evaluation function',
  });
}

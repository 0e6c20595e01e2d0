/**
 * The stack's outputs: where an operator's tools (the `mlops` CLI, the demo) find the deployment's resources.
 * The CDK app writes them (lib/stack-outputs.ts); the CLI reads them from CloudFormation on AWS and from the
 * local runtime's control endpoint locally, so both find the same names the same way.
 */
export const STACK_OUTPUTS = {
  metadataTableName: 'MetadataTableName',
  eventBusName: 'EventBusName',
  artifactsBucketName: 'ArtifactsBucketName',
  landingBucketName: 'LandingBucketName',
  quarantineBucketName: 'QuarantineBucketName',
  dataCaptureBucketName: 'DataCaptureBucketName',
  groundTruthBucketName: 'GroundTruthBucketName',
  sageMakerExecutionRoleArn: 'SageMakerExecutionRoleArn',
} as const;

/** Outputs of capabilities a stack may leave out (a stack of test constructs, say). */
export const OPTIONAL_STACK_OUTPUTS = {
  /** The scheduled evaluation's function (`mlops evaluate <pipeline>` invokes it). */
  evaluatorFunctionName: 'EvaluatorFunctionName',
} as const;

/** The resolved outputs, by their camel-case keys. */
export type StackOutputs = { readonly [K in keyof typeof STACK_OUTPUTS]: string } & {
  readonly [K in keyof typeof OPTIONAL_STACK_OUTPUTS]?: string;
};

/** Which outputs are missing from a CloudFormation-style `{OutputKey: value}` map. */
export function missingOutputs(values: Readonly<Record<string, string>>): string[] {
  return Object.values(STACK_OUTPUTS).filter((name) => values[name] === undefined);
}

/** Picks the outputs from a `{OutputKey: value}` map; call {@link missingOutputs} first. */
export function toStackOutputs(values: Readonly<Record<string, string>>): StackOutputs {
  const entries = Object.entries(STACK_OUTPUTS).map(([key, name]) => [key, values[name] ?? '']);
  const optional = Object.entries(OPTIONAL_STACK_OUTPUTS).flatMap(([key, name]) =>
    values[name] === undefined ? [] : [[key, values[name]]],
  );
  return Object.fromEntries([...entries, ...optional]) as StackOutputs;
}

import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { decodeEvaluationSettings } from '../../functions/evaluate/evaluation-settings';
import { loadPipelines } from '../../functions/config/load-pipelines';
import { DataPlane } from '../../lib/data-plane';
import { Evaluation } from '../../lib/evaluation';
import { Observability } from '../../lib/observability';
import { cdkJsonContext, PROJECT_ROOT } from './cdk-context';
import { onlyBundle, synthExampleApp } from './stack-fixture';

const { template } = synthExampleApp();

/** The evaluator function's resource (found by its handler's description). */
function evaluator() {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('live model') },
  });
  const entries = Object.entries(functions);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

describe('scheduled evaluation', () => {
  it('schedules each pipeline with an evaluation section, passing the pipeline and the scheduled time', () => {
    const [logicalId] = evaluator();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId, 'Arn'] },
          InputTransformer: {
            InputPathsMap: { time: '$.time' },
            InputTemplate: '{"pipeline":"churn","time":<time>}',
          },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
        }),
      ],
    });
  });

  it('gives the function its settings: problem, features from the contract, endpoint, bounds and actions', () => {
    const [, fn] = evaluator();
    const variables = (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    const [churn] = decodeEvaluationSettings(String(variables.PIPELINES));
    expect(churn).toMatchObject({
      name: 'churn',
      problemType: 'binary',
      target: 'churned',
      endpointName: 'churn',
      features: [
        'tenure_months',
        'monthly_charges',
        'total_charges',
        'contract_type',
        'payment_method',
        'support_calls',
        'plan',
      ],
      evaluation: {
        minSamples: 200,
        degradation: { metric: 'roc_auc', minimum: 0.7, consecutiveWindows: 3 },
        onDegradation: 'retrain',
      },
    });
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining(['CAPTURE_BUCKET', 'GROUND_TRUTH_BUCKET', 'ARTIFACTS_BUCKET', 'PARTS_QUEUE_URL']),
    );
  });

  it('splits large windows through an encrypted queue back to the same function, one part at a time', () => {
    const [logicalId] = evaluator();
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 5400,
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId },
      BatchSize: 1,
    });
  });

  it('reads capture and ground truth only under the pipeline prefix, and writes only evaluation artifacts', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('Evaluator') },
    });
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }).PolicyDocument
          .Statement,
    );
    const text = JSON.stringify(statements);
    expect(text).toContain('/churn/*');
    expect(text).toContain('/evaluations/*');
    const writes = statements.filter((s) => JSON.stringify(s.Action).includes('s3:PutObject'));
    expect(writes.length).toBeGreaterThan(0);
    for (const s of writes) expect(JSON.stringify(s.Resource)).toContain('/evaluations/*');
    expect(text).not.toContain('"s3:*"');
  });

  it('names the function in the stack outputs for `mlops evaluate <pipeline>`', () => {
    const [logicalId] = evaluator();
    template.hasOutput('EvaluatorFunctionName', { Value: { Ref: logicalId } });
  });

  it('bundles the evaluator into a minified ESM file under 1 MB', () => {
    const app = new App({ context: cdkJsonContext() });
    const stack = new Stack(app, 'EvaluationBundle');
    const dataPlane = new DataPlane(stack, 'DataPlane', { stage: 'test' });
    const observability = new Observability(stack, 'Observability', { stage: 'test', encryptionKey: dataPlane.key });
    new Evaluation(stack, 'Evaluation', {
      dataPlane,
      observability,
      stage: 'test',
      pipelines: loadPipelines(PROJECT_ROOT),
      pipelinesDir: path.join(PROJECT_ROOT, 'pipelines'),
    });
    const { size } = onlyBundle(app);
    process.stdout.write(`evaluator bundle: ${size} bytes\n`);
    expect(size).toBeLessThan(1024 * 1024);
  }, 180_000);
});

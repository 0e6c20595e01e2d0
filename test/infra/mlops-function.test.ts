import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DataPlane } from '../../lib/data-plane';
import { MlopsFunction } from '../../lib/mlops-function';
import { Observability } from '../../lib/observability';
import { cdkJsonContext } from './cdk-context';

const ENTRY = 'test/fixtures/functions/echo/handler.ts';

function functionStack(context: Record<string, unknown> = { 'aws:cdk:bundling-stacks': [] }) {
  const app = new App({ context: { ...cdkJsonContext(), ...context } });
  const stack = new Stack(app, 'FunctionTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const dataPlane = new DataPlane(stack, 'DataPlane', { stage: 'test' });
  const observability = new Observability(stack, 'Observability', { stage: 'test', encryptionKey: dataPlane.key });
  const fn = new MlopsFunction(stack, 'Echo', {
    entry: ENTRY,
    description: 'echoes its event',
    encryptionKey: dataPlane.key,
    stage: 'test',
    memorySize: 512,
    environment: { EXTRA: 'value' },
  });
  observability.monitorFunction(fn);
  return { app, stack, fn, template: Template.fromStack(stack) };
}

describe('MlopsFunction', () => {
  const { app, template } = functionStack();

  it('runs on the newest Node.js runtime, arm64, with active tracing, JSON logs and encrypted environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
      KmsKeyArn: Match.anyValue(),
      Environment: {
        Variables: Match.objectLike({
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_METRICS_NAMESPACE: 'mlops/test',
          DEAD_LETTER_QUEUE_URL: Match.anyValue(),
          EXTRA: 'value',
        }),
      },
    });
  });

  it('records its source entry in the template for the local runtime', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn?.Metadata).toMatchObject({ 'mlops:entry': ENTRY, 'mlops:handler': 'handler' });
  });

  it('retries asynchronous invocations twice, then sends them to its own encrypted dead-letter queue', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    const [queueId, queue] = Object.entries(queues)[0] ?? [];
    expect(queue?.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('logs to its own KMS-encrypted log group with a retention, through its own role', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30, KmsKeyId: Match.anyValue() });
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
  });

  it('alarms on errors, throttles and a non-empty dead-letter queue, notifying the alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Throttles',
    ]);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(alarm.Threshold).toBe(1);
    }
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('has no unacknowledged AwsSolutions findings', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`),
    ).toEqual([]);
  });
});

describe('MlopsFunction bundling', () => {
  it('bundles the handler with the local esbuild into a minified ESM file with a source map, under 1 MB', () => {
    const { app } = functionStack({});
    const assembly = app.synth();
    const assetDirs = fs
      .readdirSync(assembly.directory)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => path.join(assembly.directory, d))
      .filter((d) => fs.existsSync(path.join(d, 'index.mjs')));
    expect(assetDirs).toHaveLength(1);
    const bundle = path.join(assetDirs[0] ?? '', 'index.mjs');
    expect(fs.statSync(bundle).size).toBeLessThan(1024 * 1024);
    expect(fs.existsSync(`${bundle}.map`)).toBe(true);
    expect(fs.readFileSync(bundle, 'utf8')).toMatch(/export\s*\{/);
  }, 120_000);
});

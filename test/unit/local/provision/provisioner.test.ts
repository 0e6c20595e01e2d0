import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IntrinsicResolutionError,
  ProvisionError,
  TemplateError,
  UnknownResourceTypeError,
} from '../../../../local/provision/errors';
import { physicalName } from '../../../../local/provision/physical-names';
import { formatProvisionReport } from '../../../../local/provision/provision-report';
import { provision } from '../../../../local/provision/provisioner';
import type { ProvisionClients } from '../../../../local/provision/resource-context';
import { HANDLED_TYPES, IGNORED_TYPES } from '../../../../local/provision/resource-types';
import { generatePassword } from '../../../../local/provision/secrets';
import { loadSynthesizedStack, parseTemplate } from '../../../../local/provision/template';

// Nothing listens here: these tests cover what the provisioner decides before (or without) calling AWS.
const config = {
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  maxAttempts: 1,
};
const clients: ProvisionClients = {
  s3: new S3Client(config),
  dynamodb: new DynamoDBClient(config),
  eventbridge: new EventBridgeClient(config),
  sqs: new SQSClient(config),
  secretsManager: new SecretsManagerClient(config),
  kms: new KMSClient(config),
  cloudwatch: new CloudWatchClient(config),
  sagemaker: new SageMakerClient(config),
};
const opts = { stackName: 'Demo', accountId: '111122223333', region: 'eu-west-1' };

afterAll(() => {
  for (const client of Object.values(clients)) client.destroy();
});

describe('provision', () => {
  it('fails before any call on a resource type that is neither handled nor ignored, naming it', async () => {
    const template = parseTemplate({
      Resources: {
        Role: { Type: 'AWS::IAM::Role' },
        Machine: { Type: 'AWS::StepFunctions::StateMachine' },
        Other: { Type: 'AWS::StepFunctions::StateMachine' },
      },
    });

    const attempt = provision(template, clients, opts);

    await expect(attempt).rejects.toBeInstanceOf(UnknownResourceTypeError);
    await expect(attempt).rejects.toThrow(/AWS::StepFunctions::StateMachine \(Machine, Other\)/);
  });

  it('gives ignored resources placeholder values, so references to them resolve', async () => {
    const template = parseTemplate({
      Resources: {
        ExecutionRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'sagemaker-exec' } },
        GeneratedRole: { Type: 'AWS::IAM::Role' },
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/mlops/train' } },
      },
      Outputs: {
        RoleArn: { Value: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] } },
        Generated: { Value: { Ref: 'GeneratedRole' } },
        LogArn: { Value: { 'Fn::GetAtt': ['Logs', 'Arn'] } },
        Broken: { Value: { 'Fn::GetAtt': ['Logs', 'Nope'] } },
      },
    });

    const app = await provision(template, clients, opts);

    expect(app.outputs).toEqual({
      RoleArn: 'arn:aws:iam::111122223333:role/sagemaker-exec',
      Generated: 'Demo-GeneratedRole',
      LogArn: 'arn:aws:logs:eu-west-1:111122223333:log-group:/mlops/train:*',
    });
    expect(app.warnings).toEqual([
      {
        logicalId: 'Outputs.Broken',
        message: expect.stringMatching(/AWS::Logs::LogGroup has no local value for attribute Nope/),
      },
    ]);
    expect(app.notProvisioned).toEqual([
      {
        type: 'AWS::IAM::Role',
        logicalIds: ['ExecutionRole', 'GeneratedRole'],
        reason: 'IAM is not enforced by the emulator',
      },
      { type: 'AWS::Logs::LogGroup', logicalIds: ['Logs'], reason: IGNORED_TYPES['AWS::Logs::LogGroup'] },
    ]);
    expect(app.provisioned).toEqual([]);
  });

  it('skips resources whose condition is false and reports them', async () => {
    const template = parseTemplate({
      Parameters: { Stage: { Type: 'String', Default: 'dev' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
      Resources: { Meta: { Type: 'AWS::CDK::Metadata', Condition: 'IsProd' } },
      Outputs: { Meta: { Value: { Ref: 'Meta' } } },
    });

    const app = await provision(template, clients, opts);

    expect(app.physicalIds).toEqual({});
    expect(app.notProvisioned).toEqual([
      { type: 'AWS::CDK::Metadata', logicalIds: ['Meta'], reason: 'condition IsProd is false' },
    ]);
    expect(app.warnings[0]?.message).toMatch(/Meta is not created: condition IsProd is false/);
  });

  it('fails on a dependency cycle', async () => {
    const template = parseTemplate({
      Resources: {
        A: { Type: 'AWS::IAM::Role', DependsOn: 'B' },
        B: { Type: 'AWS::IAM::Role', Properties: { Path: { 'Fn::GetAtt': ['A', 'Arn'] } } },
      },
    });

    await expect(provision(template, clients, opts)).rejects.toThrow(ProvisionError);
    await expect(provision(template, clients, opts)).rejects.toThrow(/cycle among: A, B/);
  });

  it('reports intrinsic errors with the resource and path', async () => {
    const template = parseTemplate({
      Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { Description: { Ref: 'Nowhere' } } } },
    });

    const attempt = provision(template, clients, opts);

    await expect(attempt).rejects.toBeInstanceOf(IntrinsicResolutionError);
    await expect(attempt).rejects.toThrow(/cannot resolve Key at Properties.Description.Ref: Ref Nowhere: no resource/);
  });

  it('has no type in both the handled and the ignored table', () => {
    expect(Object.keys(HANDLED_TYPES).filter((type) => type in IGNORED_TYPES)).toEqual([]);
  });
});

describe('formatProvisionReport', () => {
  it('lists counts, local runtime registrations and what was not provisioned', () => {
    const report = formatProvisionReport({
      physicalIds: { Fn: 'Fn' },
      attributes: {},
      functions: [
        {
          logicalId: 'Fn',
          functionName: 'Fn',
          entry: 'functions/x/handler.ts',
          handlerExport: 'handler',
          environment: {},
          timeoutSeconds: 3,
          memorySizeMb: 128,
          asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 },
        },
      ],
      ruleTargets: [],
      schedules: [
        { logicalId: 'Nightly', name: 'nightly', scheduleExpression: 'rate(1 day)', functionLogicalId: 'Fn' },
      ],
      queueSources: [],
      notProvisioned: [
        { type: 'AWS::IAM::Role', logicalIds: ['R1', 'R2'], reason: 'IAM is not enforced by the emulator' },
      ],
    });

    expect(report.split('\n')).toEqual([
      'Provisioned 1 resources:',
      'Local functions (1):',
      '  Fn  functions/x/handler.ts#handler  timeout 3s, 128 MB, retries 2, max age 21600s, on failure none',
      'Rule targets re-pointed at inbox queues (0):',
      'Schedules run by the local scheduler (1):',
      '  nightly  rate(1 day) -> Fn',
      'Queue sources polled locally (0):',
      'Not provisioned (2):',
      '  AWS::IAM::Role x2: IAM is not enforced by the emulator',
      '    R1, R2',
    ]);
  });
});

describe('physicalName', () => {
  it('is deterministic, shortened with a hash when too long, and honours case and suffix', () => {
    expect(physicalName('Demo', 'WorkQueue1A2B', { maxLength: 80 })).toBe('Demo-WorkQueue1A2B');
    expect(physicalName('Demo', 'Orders', { maxLength: 80, suffix: '.fifo' })).toBe('Demo-Orders.fifo');
    const long = physicalName('Demo', 'X'.repeat(100), { maxLength: 64 });
    expect(long).toHaveLength(64);
    expect(long).toBe(physicalName('Demo', 'X'.repeat(100), { maxLength: 64 }));
    const bucket = physicalName('Demo', 'Data_Bucket', { maxLength: 63, lowerCase: true, uniqueIn: '111122223333' });
    expect(bucket).toMatch(/^demo-data-bucket-[0-9a-f]{8}$/);
    expect(bucket).not.toBe(
      physicalName('Demo', 'Data_Bucket', { maxLength: 63, lowerCase: true, uniqueIn: '444455556666' }),
    );
  });
});

describe('generatePassword', () => {
  it('follows the GenerateSecretString rules', () => {
    const password = generatePassword({ PasswordLength: 64, ExcludePunctuation: true, ExcludeCharacters: 'abc' });

    expect(password).toHaveLength(64);
    expect(password).toMatch(/^[A-Za-z0-9]+$/);
    expect(password).not.toMatch(/[abc]/);
    expect(generatePassword({})).toHaveLength(32);
    expect(() =>
      generatePassword({
        ExcludeLowercase: true,
        ExcludeUppercase: true,
        ExcludeNumbers: true,
        ExcludePunctuation: true,
      }),
    ).toThrow(/excludes every character/);
  });
});

describe('loadSynthesizedStack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-assembly-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const stackArtifact = (templateFile: string) => ({ type: 'aws:cloudformation:stack', properties: { templateFile } });

  it('finds the only stack, and asks for a name when there are several', () => {
    writeFileSync(join(dir, 'A.template.json'), JSON.stringify({ Resources: { R: { Type: 'AWS::IAM::Role' } } }));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ artifacts: { A: stackArtifact('A.template.json') } }));
    expect(loadSynthesizedStack(dir).stackName).toBe('A');

    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({ artifacts: { A: stackArtifact('A.template.json'), B: stackArtifact('B.template.json') } }),
    );
    expect(() => loadSynthesizedStack(dir)).toThrow(/has 2 stacks \(A, B\); name the one to provision/);
    expect(() => loadSynthesizedStack(dir, 'C')).toThrow(/has no stack "C"; it has: A, B/);
    expect(loadSynthesizedStack(dir, 'A').template.Resources['R']?.Type).toBe('AWS::IAM::Role');
  });

  it('rejects a missing assembly and a template without Resources', () => {
    expect(() => loadSynthesizedStack(join(dir, 'missing'))).toThrow(TemplateError);
    expect(() => parseTemplate({ Outputs: {} })).toThrow(/is not a CloudFormation template/);
  });
});

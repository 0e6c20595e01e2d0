import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthExampleApp } from './stack-fixture';

const { template } = synthExampleApp();
const buckets = template.findResources('AWS::S3::Bucket');
const bucketIds = Object.keys(buckets);

/** Resolves the logical id a `{ Ref }` or `{ Fn::GetAtt }` points at, or undefined. */
function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('Ref' in value && typeof value.Ref === 'string') return value.Ref;
  if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) return String(value['Fn::GetAtt'][0]);
  return undefined;
}

describe('DataPlane', () => {
  it('creates six buckets: landing, quarantine, artifacts, data capture, ground truth and access logs', () => {
    expect(bucketIds.map((id) => id.replace(/^DataPlane|Bucket[0-9A-F]{8}$/g, '')).sort()).toEqual([
      'AccessLogs',
      'Artifacts',
      'DataCapture',
      'GroundTruth',
      'Landing',
      'Quarantine',
    ]);
  });

  it('encrypts every data bucket with the customer-managed key and the access-log bucket with SSE-S3', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    for (const [id, bucket] of Object.entries(buckets)) {
      const rule =
        bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
      if (id.startsWith('DataPlaneAccessLogs')) {
        expect(rule).toEqual({ SSEAlgorithm: 'AES256' });
      } else {
        expect(rule.SSEAlgorithm).toBe('aws:kms');
        expect(referencedId(rule.KMSMasterKeyID)).toBe(keyId);
      }
    }
  });

  it('blocks public access on every bucket and denies requests without TLS', () => {
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    const protectedBuckets = policies
      .filter((policy) =>
        policy.Properties.PolicyDocument.Statement.some(
          (s: { Effect: string; Condition?: { Bool?: Record<string, string> } }) =>
            s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        ),
      )
      .map((policy) => referencedId(policy.Properties.Bucket));
    expect(protectedBuckets.sort()).toEqual([...bucketIds].sort());
  });

  it('sends the landing bucket events to EventBridge and versions the data buckets', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'landing/' },
    });
    const versioned = bucketIds.filter((id) => buckets[id]?.Properties.VersioningConfiguration?.Status === 'Enabled');
    expect(versioned.map((id) => id.replace(/^DataPlane|Bucket[0-9A-F]{8}$/g, '')).sort()).toEqual([
      'Artifacts',
      'GroundTruth',
      'Landing',
      'Quarantine',
    ]);
  });

  it('gives every bucket lifecycle rules and server access logging (but the log bucket itself)', () => {
    for (const [id, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties.LifecycleConfiguration.Rules.length).toBeGreaterThan(0);
      if (!id.startsWith('DataPlaneAccessLogs')) expect(bucket.Properties.LoggingConfiguration).toBeDefined();
    }
  });

  it('keeps stateful resources on stack deletion by default', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::KMS::Key']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.DeletionPolicy).toBe('Retain');
      }
    }
  });

  it('creates the metadata table on demand with PITR, the key, a TTL attribute and the byId index', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byId',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });

  it('creates an encrypted custom event bus with an archive of everything on it', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'mlops-dev', KmsKeyIdentifier: Match.anyValue() });
    const busId = Object.keys(template.findResources('AWS::Events::EventBus'))[0];
    const archive = Object.values(template.findResources('AWS::Events::Archive'))[0];
    expect(referencedId(archive?.Properties.SourceArn)).toBe(busId);
    expect(archive?.Properties.RetentionDays).toBe(365);
  });

  it('rotates the key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('creates an empty Slack secret with instructions when no secret name is configured', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: '{}',
      Description: Match.stringLikeRegexp('put-secret-value'),
    });
  });

  it('imports the Slack secret by name when the context names one', () => {
    const { template: imported } = synthExampleApp({ 'mlops:slackSecretName': 'team/slack-webhook' });
    imported.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('lets the SageMaker execution role be assumed by SageMaker only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }],
      },
    });
  });

  it('scopes the SageMaker execution role to the mlops buckets and key', () => {
    const roleId = Object.entries(template.findResources('AWS::IAM::Role')).find(
      ([, role]) =>
        role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'sagemaker.amazonaws.com',
    )?.[0];
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      p.Properties.Roles.some((r: unknown) => referencedId(r) === roleId),
    );
    const s3Resources = new Set<string>();
    for (const statement of policy?.Properties.PolicyDocument.Statement ?? []) {
      const actions: string[] = [statement.Action].flat();
      if (!actions.some((a) => a.startsWith('s3:'))) continue;
      for (const resource of [statement.Resource].flat()) {
        const id = referencedId(resource) ?? referencedId(resource?.['Fn::Join']?.[1]?.[0]);
        expect(id, JSON.stringify(resource)).toBeDefined();
        s3Resources.add(String(id).replace(/^DataPlane|Bucket[0-9A-F]{8}$/g, ''));
      }
    }
    expect([...s3Resources].sort()).toEqual(['Artifacts', 'DataCapture', 'Landing']);
  });

  it('has no IAM statement that allows every action, and none on every resource except for action families without resource types', () => {
    const allowedOnStar = new Set([
      'cloudwatch:PutMetricData',
      'ecr:GetAuthorizationToken',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ]);
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const actions: string[] = [statement.Action].flat();
        expect(actions).not.toContain('*');
        expect(actions.filter((a) => a.endsWith(':*'))).toEqual([]);
        if ([statement.Resource].flat().includes('*')) {
          expect(actions.filter((a) => !allowedOnStar.has(a))).toEqual([]);
        }
      }
    }
  });
});

import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthExampleApp } from './stack-fixture';

const { template, stack } = synthExampleApp();
const checkerId = stack.getLogicalId(stack.contractCheck.checker.function.node.defaultChild as never);
const landingId = stack.getLogicalId(stack.dataPlane.landingBucket.node.defaultChild as never);

describe('ContractCheck', () => {
  it('routes S3 Object Created under each pipeline landing prefix to the checker, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: landingId }] }, object: { key: [{ prefix: 'churn/incoming/' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [checkerId, 'Arn'] },
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: Match.anyValue(),
        }),
      ],
    });
  });

  it('gives the checker two vCPUs, 15 minutes and its pipelines', () => {
    const fn = template.findResources('AWS::Lambda::Function')[checkerId];
    expect(fn?.Properties.MemorySize).toBe(3008);
    expect(fn?.Properties.Timeout).toBe(900);
    expect(JSON.parse(fn?.Properties.Environment.Variables.PIPELINES)).toEqual([
      {
        name: 'churn',
        landingPrefix: 'churn/incoming/',
        contract: 'churn/contract.yaml',
        maxObjectSizeBytes: 1073741824,
      },
    ]);
    expect(fn?.Metadata['mlops:entry']).toBe('functions/contract-check/handler.ts');
  });

  it('may read and delete landed objects but never write them, and write only reports, profiles and baselines', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes('ContractCheckCheckerRole'),
    );
    const statements: { Action: string | string[]; Resource: unknown }[] =
      policy?.Properties.PolicyDocument.Statement ?? [];
    const onLanding = statements
      .filter((s) => JSON.stringify(s.Resource).includes(landingId))
      .flatMap((s) => [s.Action].flat());
    expect(onLanding).not.toContain('s3:PutObject');
    expect(onLanding).toEqual(expect.arrayContaining(['s3:GetObjectVersion', 's3:DeleteObjectVersion']));
    // minimizePolicies merges statements, so look at every resource of every statement.
    const artifactPrefixes = statements
      .flatMap((s) => [s.Resource].flat())
      .map((r) => JSON.stringify(r))
      .filter((r) => r.includes('ArtifactsBucket') && r.includes('*'))
      .map((r) => /"\/([a-z]+\/)\*"/.exec(r)?.[1]);
    expect([...new Set(artifactPrefixes)].sort()).toEqual(['baselines/', 'profiles/', 'reports/']);
  });
});

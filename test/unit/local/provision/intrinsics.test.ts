import { describe, expect, it } from 'vitest';
import { IntrinsicResolutionError } from '../../../../local/provision/errors';
import {
  evaluateCondition,
  referencedIds,
  resolveString,
  resolveValue,
  type IntrinsicContext,
} from '../../../../local/provision/intrinsics';

const physicalIds: Record<string, string> = { Bucket: 'my-bucket', Queue: 'http://127.0.0.1:1/123/q' };
const attributes: Record<string, Record<string, string>> = {
  Bucket: { Arn: 'arn:aws:s3:::my-bucket' },
  Queue: { Arn: 'arn:aws:sqs:eu-west-1:111122223333:q', QueueName: 'q' },
};

const ctx: IntrinsicContext = {
  stackName: 'Demo',
  accountId: '111122223333',
  region: 'eu-west-1',
  parameters: { Stage: 'dev', Subnets: ['a', 'b'] },
  mappings: { Sizes: { dev: { Memory: 256 }, prod: { Memory: 1024 } } },
  conditions: {
    IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
    IsProd: { 'Fn::Not': [{ Condition: 'IsDev' }] },
    DevInEurope: { 'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }] },
    DevOrProd: { 'Fn::Or': [{ Condition: 'IsDev' }, { Condition: 'IsProd' }] },
    Loop: { Condition: 'Loop' },
  },
  ref: (id) => {
    const value = physicalIds[id];
    if (value === undefined) throw new Error(`${id} is not provisioned`);
    return value;
  },
  getAtt: (id, attribute) => {
    const value = attributes[id]?.[attribute];
    if (value === undefined) throw new Error(`${id} has no ${attribute}`);
    return value;
  },
};

const at = { logicalId: 'Fn', path: 'Properties.Environment.Variables.X' };
const resolve = (value: unknown) => resolveValue(value, ctx, at);

/** The error thrown by `action`, which must be an IntrinsicResolutionError. */
function failure(action: () => unknown): IntrinsicResolutionError {
  try {
    action();
  } catch (error) {
    if (error instanceof IntrinsicResolutionError) return error;
    throw error;
  }
  throw new Error('expected an IntrinsicResolutionError');
}

describe('Ref', () => {
  it('resolves resources, parameters and every pseudo parameter', () => {
    expect(resolve({ Ref: 'Bucket' })).toBe('my-bucket');
    expect(resolve({ Ref: 'Stage' })).toBe('dev');
    expect(resolve({ Ref: 'Subnets' })).toEqual(['a', 'b']);
    expect(resolve({ Ref: 'AWS::Region' })).toBe('eu-west-1');
    expect(resolve({ Ref: 'AWS::AccountId' })).toBe('111122223333');
    expect(resolve({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(resolve({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(resolve({ Ref: 'AWS::StackName' })).toBe('Demo');
    expect(resolve({ Ref: 'AWS::StackId' })).toMatch(/^arn:aws:cloudformation:eu-west-1:111122223333:stack\/Demo\//);
    expect(resolve({ Ref: 'AWS::NotificationARNs' })).toEqual([]);
  });

  it('derives partition and URL suffix from China and GovCloud regions', () => {
    const china = { ...ctx, region: 'cn-north-1' };
    expect(resolveValue({ Ref: 'AWS::Partition' }, china, at)).toBe('aws-cn');
    expect(resolveValue({ Ref: 'AWS::URLSuffix' }, china, at)).toBe('amazonaws.com.cn');
    expect(resolveValue({ Ref: 'AWS::Partition' }, { ...ctx, region: 'us-gov-west-1' }, at)).toBe('aws-us-gov');
  });

  it('removes properties and list elements that are AWS::NoValue', () => {
    expect(resolve({ A: 'kept', B: { Ref: 'AWS::NoValue' }, C: ['x', { Ref: 'AWS::NoValue' }, 'y'] })).toEqual({
      A: 'kept',
      C: ['x', 'y'],
    });
    expect(resolve({ Ref: 'AWS::NoValue' })).toBeUndefined();
  });

  it('fails naming the logical id, the path and the missing reference', () => {
    const error = failure(() => resolve({ A: { Ref: 'Missing' } }));

    expect(error.name).toBe('IntrinsicResolutionError');
    expect(error.logicalId).toBe('Fn');
    expect(error.path).toBe('Properties.Environment.Variables.X.A.Ref');
    expect(error.message).toContain('Missing is not provisioned');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('fails when Ref is not given a name', () => {
    expect(failure(() => resolve({ Ref: ['Bucket'] })).message).toMatch(/Ref needs a logical id/);
  });
});

describe('Fn::GetAtt', () => {
  it('resolves the list and the dotted string forms', () => {
    expect(resolve({ 'Fn::GetAtt': ['Queue', 'Arn'] })).toBe('arn:aws:sqs:eu-west-1:111122223333:q');
    expect(resolve({ 'Fn::GetAtt': 'Queue.QueueName' })).toBe('q');
  });

  it('fails on an unknown attribute or a malformed argument', () => {
    expect(failure(() => resolve({ 'Fn::GetAtt': ['Bucket', 'WebsiteURL'] })).message).toMatch(
      /Fn::GetAtt Bucket.WebsiteURL: Bucket has no WebsiteURL/,
    );
    expect(failure(() => resolve({ 'Fn::GetAtt': ['Bucket'] })).message).toMatch(/needs \[logicalId, attribute\]/);
  });
});

describe('Fn::Join', () => {
  it('joins resolved elements, numbers included', () => {
    expect(resolve({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket' }, '/*']] })).toBe(
      'arn:aws:s3:::my-bucket/*',
    );
    expect(resolve({ 'Fn::Join': ['-', ['a', 1, true]] })).toBe('a-1-true');
  });

  it('fails on a non-list or a non-scalar element', () => {
    expect(failure(() => resolve({ 'Fn::Join': [',', 'abc'] })).message).toMatch(/needs a list/);
    expect(failure(() => resolve({ 'Fn::Join': [',', [{ a: 1 }]] })).message).toMatch(/element 0/);
    expect(failure(() => resolve({ 'Fn::Join': ['x'] })).message).toMatch(/needs \[delimiter, list\]/);
  });
});

describe('Fn::Sub', () => {
  it('substitutes pseudo parameters, parameters, resources and attributes in the string form', () => {
    expect(
      resolve({
        'Fn::Sub':
          'arn:${AWS::Partition}:s3:::${Bucket}/${Stage}/${AWS::Region}/${AWS::AccountId}/${AWS::URLSuffix}/${AWS::StackName}/${Queue.QueueName}',
      }),
    ).toBe('arn:aws:s3:::my-bucket/dev/eu-west-1/111122223333/amazonaws.com/Demo/q');
  });

  it('prefers the variables of the list form and resolves intrinsics inside them', () => {
    expect(resolve({ 'Fn::Sub': ['${Bucket}-${Name}', { Bucket: 'override', Name: { Ref: 'Stage' } }] })).toBe(
      'override-dev',
    );
  });

  it('writes ${!Literal} out as ${Literal}', () => {
    expect(resolve({ 'Fn::Sub': 'echo ${!HOME} ${Stage}' })).toBe('echo ${HOME} dev');
  });

  it('fails on an unknown variable or a malformed argument', () => {
    expect(failure(() => resolve({ 'Fn::Sub': 'x-${Nope}' })).message).toMatch(/Ref Nope/);
    expect(failure(() => resolve({ 'Fn::Sub': ['x', 'not-an-object'] })).message).toMatch(
      /variables must be an object/,
    );
    expect(failure(() => resolve({ 'Fn::Sub': 42 })).message).toMatch(/needs a string/);
  });
});

describe('Fn::Select and Fn::Split', () => {
  it('selects from literal and split lists', () => {
    expect(resolve({ 'Fn::Select': [1, ['a', 'b', 'c']] })).toBe('b');
    expect(resolve({ 'Fn::Select': ['0', { 'Fn::Split': [':', { 'Fn::GetAtt': ['Queue', 'Arn'] }] }] })).toBe('arn');
    expect(resolve({ 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Queue', 'Arn'] }] }] })).toBe('q');
    expect(resolve({ 'Fn::Split': [',', 'a,b'] })).toEqual(['a', 'b']);
  });

  it('fails on an index outside the list or a non-string to split', () => {
    expect(failure(() => resolve({ 'Fn::Select': [3, ['a']] })).message).toMatch(/outside the list of 1/);
    expect(failure(() => resolve({ 'Fn::Select': [0, 'a'] })).message).toMatch(/needs a list/);
    expect(failure(() => resolve({ 'Fn::Split': [',', ['a']] })).message).toMatch(/needs a string/);
  });
});

describe('Fn::If and conditions', () => {
  it('chooses the branch of the condition', () => {
    expect(resolve({ 'Fn::If': ['IsDev', 'small', 'large'] })).toBe('small');
    expect(resolve({ 'Fn::If': ['IsProd', 'large', { Ref: 'AWS::NoValue' }] })).toBeUndefined();
  });

  it('evaluates Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition', () => {
    expect(evaluateCondition('IsDev', ctx, at)).toBe(true);
    expect(evaluateCondition('IsProd', ctx, at)).toBe(false);
    expect(evaluateCondition('DevInEurope', ctx, at)).toBe(true);
    expect(evaluateCondition('DevOrProd', ctx, at)).toBe(true);
    expect(evaluateCondition('IsDev', { ...ctx, parameters: { Stage: 'prod' } }, at)).toBe(false);
  });

  it('fails on an undefined or self-referencing condition', () => {
    expect(failure(() => resolve({ 'Fn::If': ['Nope', 'a', 'b'] })).message).toMatch(/condition Nope is not defined/);
    expect(failure(() => evaluateCondition('Loop', ctx, at)).message).toMatch(/refers to itself/);
  });
});

describe('other functions', () => {
  it('resolves Fn::FindInMap, with a default value', () => {
    expect(resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Memory'] })).toBe(256);
    expect(resolve({ 'Fn::FindInMap': ['Sizes', 'test', 'Memory', { DefaultValue: 128 }] })).toBe(128);
    expect(failure(() => resolve({ 'Fn::FindInMap': ['Sizes', 'test', 'Memory'] })).message).toMatch(
      /no value at Mappings.Sizes.test.Memory/,
    );
  });

  it('resolves Fn::Base64, Fn::GetAZs, Fn::ToJsonString and Fn::Length', () => {
    expect(resolve({ 'Fn::Base64': { 'Fn::Sub': '${Stage}' } })).toBe(Buffer.from('dev').toString('base64'));
    expect(resolve({ 'Fn::GetAZs': '' })).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(resolve({ 'Fn::ToJsonString': { bucket: { Ref: 'Bucket' } } })).toBe('{"bucket":"my-bucket"}');
    expect(resolve({ 'Fn::Length': ['a', 'b', { Ref: 'AWS::NoValue' }] })).toBe(2);
  });

  it('fails on Fn::ImportValue and unknown functions', () => {
    expect(failure(() => resolve({ 'Fn::ImportValue': 'Shared-Vpc' })).message).toMatch(/another stack's exports/);
    expect(failure(() => resolve({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] })).message).toMatch(/Fn::Cidr is not supported/);
  });

  it('leaves objects with several keys and plain values alone', () => {
    expect(resolve({ Ref: 'Bucket', Extra: 1 })).toEqual({ Ref: 'Bucket', Extra: 1 });
    expect(resolve([1, 'a', null, true])).toEqual([1, 'a', null, true]);
  });
});

describe('resolveString', () => {
  it('turns scalars into strings and rejects objects', () => {
    expect(resolveString(60, ctx, at)).toBe('60');
    expect(resolveString({ Ref: 'Bucket' }, ctx, at)).toBe('my-bucket');
    expect(failure(() => resolveString({ 'Fn::Split': [',', 'a,b'] }, ctx, at)).message).toMatch(/expected a string/);
  });
});

describe('referencedIds', () => {
  it('collects Ref, GetAtt (both forms) and Fn::Sub references, skipping Sub variables and literals', () => {
    const ids = referencedIds({
      A: { Ref: 'Bucket' },
      B: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      C: { 'Fn::GetAtt': 'Table.StreamArn' },
      D: { 'Fn::Sub': ['${Key.Arn}/${Local}/${AWS::Region}/${!Skip}', { Local: { Ref: 'Role' } }] },
      E: [{ 'Fn::Join': ['', [{ Ref: 'Topic' }]] }],
    });

    expect([...ids].sort()).toEqual(['AWS::Region', 'Bucket', 'Key', 'Queue', 'Role', 'Table', 'Topic']);
  });
});

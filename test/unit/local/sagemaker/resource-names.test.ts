import { describe, expect, it } from 'vitest';

import { assertChannelName, assertResourceName, sageMakerArn } from '../../../../local/sagemaker/resource-names';

describe('assertResourceName', () => {
  it.each(['a', 'churn-train-20250115-0930', 'A1', 'a--b', 'x'.repeat(63)])('accepts %s', (name) => {
    expect(() => assertResourceName('trainingJobName', name)).not.toThrow();
  });

  it.each([
    ['an empty name', ''],
    ['an underscore', 'churn_train'],
    ['a dot', 'churn.train'],
    ['a leading hyphen', '-churn'],
    ['a trailing hyphen', 'churn-'],
    ['64 characters', 'x'.repeat(64)],
    ['a space', 'churn train'],
  ])('rejects %s with a ValidationException naming the member', (_why, name) => {
    expect(() => assertResourceName('trainingJobName', name)).toThrow(
      expect.objectContaining({
        name: 'SageMakerApiError',
        code: 'ValidationException',
        message: expect.stringMatching(/at 'trainingJobName' failed to satisfy constraint/),
      }),
    );
  });
});

describe('assertChannelName', () => {
  it.each(['train', 'validation_1', 'a.b-c', 'x'.repeat(64)])('accepts %s', (name) => {
    expect(() => assertChannelName(name)).not.toThrow();
  });

  it.each(['', 'a/b', 'a b', 'x'.repeat(65)])('rejects %j', (name) => {
    expect(() => assertChannelName(name)).toThrow(expect.objectContaining({ code: 'ValidationException' }));
  });
});

describe('sageMakerArn', () => {
  it('lower-cases the name, as SageMaker ARNs do', () => {
    expect(sageMakerArn({ region: 'eu-west-1', accountId: '111122223333' }, 'endpoint', 'MyEndpoint')).toBe(
      'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/myendpoint',
    );
  });
});

import { afterAll, describe, expect, it } from 'vitest';

import { LocalTrainingJobs } from '../../../../local/sagemaker/training-executor';
import { MemoryObjectStore } from './memory-object-store';

const jobs = new LocalTrainingJobs({
  objectStore: new MemoryObjectStore(),
  emit: () => undefined,
  resolveCommand: () => undefined,
});
afterAll(() => jobs.close());

const valid = {
  TrainingJobName: 'churn-1',
  RoleArn: 'arn:aws:iam::123456789012:role/sagemaker-execution',
  AlgorithmSpecification: { TrainingImage: 'img:1', TrainingInputMode: 'File' },
  InputDataConfig: [
    { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/t/' } } },
  ],
  OutputDataConfig: { S3OutputPath: 's3://b/out/' },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
  StoppingCondition: { MaxRuntimeInSeconds: 60 },
};

describe('LocalTrainingJobs.create validation', () => {
  it.each([
    ['an invalid job name', { TrainingJobName: 'churn_1' }, /trainingJobName/],
    ['a missing RoleArn', { RoleArn: undefined }, /RoleArn/],
    [
      'an unknown input mode',
      { AlgorithmSpecification: { TrainingImage: 'i', TrainingInputMode: 'Stream' } },
      /TrainingInputMode/,
    ],
    [
      'both TrainingImage and AlgorithmName',
      { AlgorithmSpecification: { TrainingImage: 'i', AlgorithmName: 'a', TrainingInputMode: 'File' } },
      /exactly one of TrainingImage and AlgorithmName/,
    ],
    [
      'duplicate channel names',
      { InputDataConfig: [valid.InputDataConfig[0], valid.InputDataConfig[0]] },
      /Channel names must be unique/,
    ],
    ['a bad channel name', { InputDataConfig: [{ ...valid.InputDataConfig[0], ChannelName: 'a/b' }] }, /channelName/],
    ['an output path that is not S3', { OutputDataConfig: { S3OutputPath: 'https://b/out' } }, /S3OutputPath/],
    ['a hyperparameter that is not a string', { HyperParameters: { num_round: 200 } }, /HyperParameters/],
    [
      'an invalid metric regex',
      {
        AlgorithmSpecification: {
          TrainingImage: 'i',
          TrainingInputMode: 'File',
          MetricDefinitions: [{ Name: 'auc', Regex: '(' }],
        },
      },
      /invalid Regex/,
    ],
  ])('rejects %s with a ValidationException', async (_why, change, message) => {
    await expect(jobs.create({ ...valid, ...change })).rejects.toMatchObject({
      name: 'SageMakerApiError',
      code: 'ValidationException',
      message: expect.stringMatching(message),
    });
  });
});

import { describe, expect, it } from 'vitest';

import {
  decodedHyperparameters,
  inputDataConfig,
  resourceConfig,
  trainingEnvironment,
  trainingJobLayout,
} from '../../../../local/sagemaker/training-environment';
import type { CreateTrainingJobRequest } from '../../../../local/sagemaker/training-job-request';

const request: CreateTrainingJobRequest = {
  TrainingJobName: 'churn-1',
  RoleArn: 'arn:aws:iam::123456789012:role/sagemaker-execution',
  AlgorithmSpecification: { TrainingImage: 'img', TrainingInputMode: 'FastFile' },
  HyperParameters: { num_round: '200', objective: 'binary:logistic', eta: '0.2', sagemaker_program: 'train.py' },
  InputDataConfig: [
    { ChannelName: 'validation', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/v/' } } },
    {
      ChannelName: 'train',
      ContentType: 'text/csv',
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/t/' } },
    },
  ],
  OutputDataConfig: { S3OutputPath: 's3://b/out/' },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2, VolumeSizeInGB: 10 },
  StoppingCondition: { MaxRuntimeInSeconds: 60 },
  CheckpointConfig: { S3Uri: 's3://b/ckpt/' },
  Environment: { MY_FLAG: '1' },
};

describe('trainingEnvironment', () => {
  const layout = trainingJobLayout('/tmp/job/opt/ml', request);
  const env = trainingEnvironment(layout, request, {
    jobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-1',
    numCpus: 2,
  });

  it('sets the toolkit variables the way sagemaker-training does', () => {
    expect(env).toMatchObject({
      SM_MODEL_DIR: '/tmp/job/opt/ml/model',
      SM_CHANNELS: '["train","validation"]',
      SM_CHANNEL_TRAIN: '/tmp/job/opt/ml/input/data/train',
      SM_CHANNEL_VALIDATION: '/tmp/job/opt/ml/input/data/validation',
      SM_INPUT_DIR: '/tmp/job/opt/ml/input',
      SM_INPUT_CONFIG_DIR: '/tmp/job/opt/ml/input/config',
      SM_OUTPUT_DIR: '/tmp/job/opt/ml/output',
      SM_OUTPUT_DATA_DIR: '/tmp/job/opt/ml/output/data',
      SM_HOSTS: '["algo-1","algo-2"]',
      SM_CURRENT_HOST: 'algo-1',
      SM_CURRENT_INSTANCE_TYPE: 'ml.m5.large',
      SM_NUM_CPUS: '2',
      SM_NUM_GPUS: '0',
      SM_HP_NUM_ROUND: '200',
      SM_HP_OBJECTIVE: 'binary:logistic',
    });
  });

  it('decodes hyperparameters for SM_HPS and leaves out sagemaker_ keys', () => {
    expect(JSON.parse(env.SM_HPS ?? '')).toEqual({ eta: 0.2, num_round: 200, objective: 'binary:logistic' });
    expect(decodedHyperparameters({ sagemaker_region: '"us-east-1"', list: '[1,2]' })).toEqual({ list: [1, 2] });
  });

  it('adds the platform variables, the request Environment and MLOPS_SM_ROOT', () => {
    expect(env).toMatchObject({
      TRAINING_JOB_NAME: 'churn-1',
      TRAINING_JOB_ARN: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-1',
      MY_FLAG: '1',
      MLOPS_SM_ROOT: '/tmp/job/opt/ml',
    });
  });

  it('puts checkpoints under the local root', () => {
    expect(layout.checkpointDir).toBe('/tmp/job/opt/ml/checkpoints');
  });
});

describe('config files', () => {
  it('inputdataconfig.json reports FastFile as File, with defaults', () => {
    expect(inputDataConfig(request)).toEqual({
      validation: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
      train: {
        ContentType: 'text/csv',
        TrainingInputMode: 'File',
        S3DistributionType: 'FullyReplicated',
        RecordWrapperType: 'None',
      },
    });
  });

  it('resourceconfig.json names algo-1..N with algo-1 current', () => {
    expect(resourceConfig(request)).toMatchObject({
      current_host: 'algo-1',
      hosts: ['algo-1', 'algo-2'],
      network_interface_name: 'eth0',
    });
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { LocalEndpoints } from '../../../local/sagemaker/endpoint-executor';
import { S3ObjectStore } from '../../../local/sagemaker/object-store';
import { LocalTrainingJobs } from '../../../local/sagemaker/training-executor';
import { REPO_ROOT, startMoto, type MotoServer } from './moto-server';

const BUCKET = 'ml-e2e';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const node = (script: string) => ({ command: [process.execPath, '--import', 'tsx', script], cwd: REPO_ROOT });

let moto: MotoServer;
let workDir: string;
let jobs: LocalTrainingJobs;
let endpoints: LocalEndpoints;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'sm-e2e-it-'));
  moto = await startMoto();
  await moto.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // 3 positives out of 4 rows: the trained model predicts 0.75.
  await moto.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'train/a.csv', Body: '1,5\n1,4\n1,3\n0,1\n' }));
  const objectStore = new S3ObjectStore(moto.s3);
  jobs = new LocalTrainingJobs({
    objectStore,
    emit: () => undefined,
    resolveCommand: () => node('test/fixtures/sagemaker/train.ts'),
    workDir,
  });
  endpoints = new LocalEndpoints({
    objectStore,
    emit: () => undefined,
    getEndpointConfig: (name) => moto.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })),
    getModel: (name) => moto.sagemaker.send(new DescribeModelCommand({ ModelName: name })),
    resolveCommand: () => node('test/fixtures/sagemaker/serve.ts'),
    workDir,
  });
});

afterAll(async () => {
  await jobs?.close();
  await endpoints?.close();
  await moto?.stop();
  await rm(workDir, { recursive: true, force: true });
});

it('serves the model a training job produced', async () => {
  await jobs.create({
    TrainingJobName: 'churn-e2e',
    RoleArn: ROLE,
    AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
    InputDataConfig: [
      { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/train` } } },
    ],
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
  });
  const trained = await jobs.waitFor('churn-e2e');
  const modelDataUrl = trained.ModelArtifacts?.S3ModelArtifacts;
  expect(modelDataUrl).toBe(`s3://${BUCKET}/models/churn-e2e/output/model.tar.gz`);

  await moto.sagemaker.send(
    new CreateModelCommand({
      ModelName: 'churn-e2e',
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: modelDataUrl },
    }),
  );
  await moto.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'churn-e2e',
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: 'churn-e2e', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
    }),
  );
  await endpoints.createEndpoint({ EndpointName: 'churn-e2e', EndpointConfigName: 'churn-e2e' });
  expect((await endpoints.waitFor('churn-e2e'))?.EndpointStatus).toBe('InService');

  const output = await endpoints.invoke('churn-e2e', { Body: '2,1\n', ContentType: 'text/csv' });
  expect(new TextDecoder().decode(output.Body)).toBe('0.75');
});

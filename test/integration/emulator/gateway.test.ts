import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { awsJsonError } from '../../../local/emulator/aws-call';
import { startGateway } from '../../../local/emulator/gateway';
import { randomAccountId, useLocalAws } from '../setup/local-env';

const aws = await useLocalAws();
const { s3, sqs, dynamodb, eventbridge, sagemaker, sagemakerRuntime, sts } = aws.clients;

/** Records what the gateway identified for each call made while `action` runs. */
async function identified(action: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const services = ['s3', 'sqs', 'dynamodb', 'events', 'sagemaker', 'sagemaker-runtime', 'sts'];
  const stops = services.map((service) =>
    aws.gateway.intercept(service, '*', (call, forward) => {
      seen.push(`${call.service} ${call.operation} ${call.region} ${call.accountId}`);
      return forward();
    }),
  );
  try {
    await action();
  } finally {
    for (const stop of stops) stop();
  }
  return seen;
}

describe('gateway', () => {
  it('forwards requests and streams bodies unchanged, keeping status and headers', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: `gw-${aws.accountId}` }));
    const body = randomBytes(3 * 1024 * 1024 + 17);
    await s3.send(
      new PutObjectCommand({
        Bucket: `gw-${aws.accountId}`,
        Key: 'blob.bin',
        Body: body,
        Metadata: { origin: 'test' },
      }),
    );

    const head = await s3.send(new HeadObjectCommand({ Bucket: `gw-${aws.accountId}`, Key: 'blob.bin' }));
    const got = await s3.send(
      new GetObjectCommand({ Bucket: `gw-${aws.accountId}`, Key: 'blob.bin', Range: 'bytes=0-' }),
    );
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);

    expect(head.ContentLength).toBe(body.length);
    expect(head.Metadata).toEqual({ origin: 'test' });
    expect(bytes.equals(body)).toBe(true);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: `gw-${aws.accountId}`, Key: 'missing' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('runs every call in the configured account, and accounts do not see each other', async () => {
    const other = await startGateway({ motoEndpoint: aws.motoEndpoint, accountId: randomAccountId() });
    const config = {
      endpoint: other.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const otherSqs = new SQSClient(config);
    const otherDynamodb = new DynamoDBClient(config);
    const otherSts = new STSClient(config);
    try {
      await sqs.send(new CreateQueueCommand({ QueueName: 'isolated' }));
      await dynamodb.send(
        new CreateTableCommand({
          TableName: 'isolated',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );

      const mine = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'isolated' }));
      const theirs = await otherSqs.send(new ListQueuesCommand({ QueueNamePrefix: 'isolated' }));
      const theirTables = await otherDynamodb.send(new ListTablesCommand({}));
      const myIdentity = await sts.send(new GetCallerIdentityCommand({}));
      const theirIdentity = await otherSts.send(new GetCallerIdentityCommand({}));

      // Queue URLs name the gateway (moto builds them from the Host header), so later calls come back through it.
      expect(mine.QueueUrls).toEqual([`${aws.endpoint}/${aws.accountId}/isolated`]);
      expect(theirs.QueueUrls ?? []).toEqual([]);
      expect(theirTables.TableNames).not.toContain('isolated');
      expect(myIdentity.Account).toBe(aws.accountId);
      expect(theirIdentity.Account).toBe(other.accountId);
    } finally {
      for (const client of [otherSqs, otherDynamodb, otherSts]) client.destroy();
      await other.stop();
    }
  });

  it('identifies service, operation, region and account of SDK calls', async () => {
    const bucket = `ids-${aws.accountId}`;
    const seen = await identified(async () => {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a b+c.txt', Body: 'x' }));
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy.txt', CopySource: `${bucket}/a%20b%2Bc.txt` }));
      const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'multi.bin' }));
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'multi.bin',
          UploadId: upload.UploadId,
          PartNumber: 1,
          Body: 'part',
        }),
      );
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'multi.bin',
          UploadId: upload.UploadId,
          MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] },
        }),
      );
      await sqs.send(new ListQueuesCommand({}));
      await dynamodb.send(new ListTablesCommand({}));
      await eventbridge.send(new PutEventsCommand({ Entries: [{ Source: 'test', DetailType: 'Ping', Detail: '{}' }] }));
    });

    expect(seen).toEqual(
      [
        's3 CreateBucket',
        's3 PutObject',
        's3 CopyObject',
        's3 CreateMultipartUpload',
        's3 UploadPart',
        's3 CompleteMultipartUpload',
        'sqs ListQueues',
        'dynamodb ListTables',
        'events PutEvents',
      ].map((call) => `${call} us-east-1 ${aws.accountId}`),
    );
  });

  it('lets an interceptor answer like AWS, without reaching moto', async () => {
    const stopTraining = aws.gateway.intercept('sagemaker', 'CreateTrainingJob', (call) => {
      const request = call.json(z.looseObject({ TrainingJobName: z.string() }));
      return Promise.resolve(awsJsonError('ValidationException', `job ${request.TrainingJobName} rejected locally`));
    });
    const stopInvoke = aws.gateway.intercept('sagemaker-runtime', 'InvokeEndpoint', (call) =>
      Promise.resolve({
        status: 200,
        headers: { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': 'AllTraffic' },
        body: Buffer.from(JSON.stringify({ endpoint: call.path.split('/')[2], echo: call.body.toString('utf8') })),
      }),
    );
    try {
      const training = sagemaker.send(
        new CreateTrainingJobCommand({
          TrainingJobName: 'job-1',
          RoleArn: `arn:aws:iam::${aws.accountId}:role/sagemaker`,
          AlgorithmSpecification: { TrainingImage: 'image', TrainingInputMode: 'File' },
          OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
          StoppingCondition: { MaxRuntimeInSeconds: 60 },
        }),
      );
      await expect(training).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'job job-1 rejected locally',
        $metadata: { httpStatusCode: 400 },
      });
      const invoked = await sagemakerRuntime.send(
        new InvokeEndpointCommand({ EndpointName: 'churn-prod', ContentType: 'text/csv', Body: Buffer.from('1,2,3') }),
      );

      expect(invoked.InvokedProductionVariant).toBe('AllTraffic');
      expect(JSON.parse(Buffer.from(invoked.Body ?? new Uint8Array()).toString('utf8'))).toEqual({
        endpoint: 'churn-prod',
        echo: '1,2,3',
      });
    } finally {
      stopTraining();
      stopInvoke();
    }
  });

  it('runs the newest interceptor first and lets it change the request it forwards', async () => {
    const order: string[] = [];
    const stopOld = aws.gateway.intercept('events', 'PutEvents', async (call, forward) => {
      order.push(
        `old sees ${call.json(z.object({ Entries: z.array(z.object({ Source: z.string() })) })).Entries[0]?.Source}`,
      );
      return forward();
    });
    const stopNew = aws.gateway.intercept('events', 'PutEvents', async (call, forward) => {
      order.push('new');
      const body = Buffer.from(call.body.toString('utf8').replace('"original"', '"rewritten"'));
      return forward({ body });
    });
    try {
      const reply = await eventbridge.send(
        new PutEventsCommand({ Entries: [{ Source: 'original', DetailType: 'Ping', Detail: '{}' }] }),
      );

      expect(reply.FailedEntryCount).toBe(0);
      expect(order).toEqual(['new', 'old sees rewritten']);
    } finally {
      stopNew();
      stopOld();
    }
    const after = await identified(() =>
      eventbridge.send(new PutEventsCommand({ Entries: [{ Source: 'x', DetailType: 'Ping', Detail: '{}' }] })),
    );
    expect(order).toHaveLength(2);
    expect(after).toEqual([`events PutEvents us-east-1 ${aws.accountId}`]);
  });

  it('stops listening when stopped', async () => {
    const gateway = await startGateway({ motoEndpoint: aws.motoEndpoint });
    const before = await fetch(`${gateway.endpoint}/moto-api/`);
    await before.arrayBuffer();

    await gateway.stop();

    expect(before.status).toBe(200);
    await expect(fetch(`${gateway.endpoint}/moto-api/`)).rejects.toThrow();
  });
});

describe('useLocalAws', () => {
  it('points the process environment at the gateway for handler code', async () => {
    const client = new EventBridgeClient({});
    try {
      const seen = await identified(() =>
        client.send(new PutEventsCommand({ Entries: [{ Source: 'env', DetailType: 'Ping', Detail: '{}' }] })),
      );

      expect(process.env['AWS_ENDPOINT_URL']).toBe(aws.endpoint);
      expect(process.env['AWS_REGION']).toBe('us-east-1');
      expect(aws.accountId).toMatch(/^\d{12}$/);
      expect(seen).toEqual([`events PutEvents us-east-1 ${aws.accountId}`]);
    } finally {
      client.destroy();
    }
  });
});

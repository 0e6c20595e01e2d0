// The deployment invariants as DynamoDB enforces them (moto): of concurrent writers exactly one wins.
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../../functions/deployment/deployment-record';
import type { InFlightDeployment } from '../../../functions/deployment/deployment-state';
import { DeploymentStore, deploymentSortKey } from '../../../functions/metadata/deployment-store';
import { createMetadataTable } from '../setup/metadata-table';
import { useLocalAws } from '../setup/local-env';

const aws = await useLocalAws();
const TABLE = 'metadata';
const client = DynamoDBDocumentClient.from(aws.clients.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
const store = new DeploymentStore(client, TABLE);
const NOW = 1_900_000_000;
const arn = (v: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/p/${v}`;

function deployment(
  pipeline: string,
  version: number,
  id = `v${version}-x`,
  startedAt = `2026-01-0${version}T00:00:00.000Z`,
) {
  const inFlight: InFlightDeployment = {
    deploymentId: id,
    sortKey: deploymentSortKey(startedAt, id),
    trigger: 'approval',
    modelPackageArn: arn(version),
    modelVersion: version,
    endpointConfigName: `${pipeline}-v${version}-cfg`,
    claimedAt: startedAt,
    lockExpiresAt: NOW + 3600,
    requested: false,
  };
  const record: DeploymentRecord = {
    pipeline,
    deploymentId: id,
    trigger: 'approval',
    requestedBy: 'test',
    endpointName: pipeline,
    modelPackageArn: arn(version),
    modelVersion: version,
    endpointConfigName: inFlight.endpointConfigName,
    strategy: 'canary',
    retainDeploymentConfig: false,
    rollbackAlarms: [],
    alarmsLeftOut: [],
    status: 'in-progress',
    startedAt,
    startedEventSent: false,
    outcomeEventSent: false,
    resourcesDeleted: false,
  };
  return { inFlight, record };
}

beforeAll(async () => {
  await createMetadataTable(aws.clients.dynamodb, TABLE);
});

describe('DeploymentStore', () => {
  it('lets exactly one of two concurrent approvals claim the slot, and records only its deployment', async () => {
    const a = deployment('race', 1, 'a');
    const b = deployment('race', 1, 'b', '2026-01-01T00:00:01.000Z');
    const won = await Promise.all([
      store.claim('race', a.inFlight, a.record, { kind: 'approval' }, NOW),
      store.claim('race', b.inFlight, b.record, { kind: 'approval' }, NOW),
    ]);
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await store.latestDeployments('race', 10)).toHaveLength(1);
    expect((await store.getState('race')).approvedVersion).toBe(1);
  });

  it('queues only the newest approval while the slot is held, and takes an expired slot over, ending it', async () => {
    const first = deployment('queue', 1);
    expect(await store.claim('queue', first.inFlight, first.record, { kind: 'approval' }, NOW)).toBe(true);
    // The newer approval arrives first, then the older one (concurrently, either order can win the first write).
    const queued = [];
    for (const v of [3, 2])
      queued.push(await store.enqueue('queue', { modelPackageArn: arn(v), modelVersion: v }, NOW));
    expect(queued).toEqual([true, false]);
    expect((await store.getState('queue')).queued).toEqual({ modelPackageArn: arn(3), modelVersion: 3 });

    const late = deployment('queue', 4);
    expect(await store.claim('queue', late.inFlight, late.record, { kind: 'approval' }, NOW)).toBe(false);
    const abandoned = { inFlight: first.inFlight, reason: 'abandoned: lock expired' };
    expect(await store.claim('queue', late.inFlight, late.record, { kind: 'approval' }, NOW + 3601, abandoned)).toBe(
      true,
    );
    // Taking the slot for v4 also drops the older queued v3, and ends the abandoned v1.
    expect((await store.getState('queue')).queued).toBeUndefined();
    expect(await store.getDeployment('queue', first.inFlight.sortKey)).toMatchObject({
      status: 'failed',
      reason: 'abandoned: lock expired',
    });
  });

  it('promotes a champion once for two concurrent conclusions, and the queued model claims only as queued', async () => {
    const d = deployment('promote', 2);
    await store.claim('promote', d.inFlight, d.record, { kind: 'approval' }, NOW);
    await store.enqueue('promote', { modelPackageArn: arn(5), modelVersion: 5 }, NOW);
    const next = {
      champion: { modelPackageArn: arn(2), modelVersion: 2, endpointConfigName: 'promote-v2-cfg' },
      previousChampions: [],
    };
    const concluded = await Promise.all([
      store.conclude('promote', d.inFlight, { kind: 'succeeded' }, next, '2026-01-02T00:10:00.000Z'),
      store.conclude('promote', d.inFlight, { kind: 'succeeded' }, next, '2026-01-02T00:10:01.000Z'),
    ]);
    expect(concluded.filter(Boolean)).toHaveLength(1);
    const state = await store.getState('promote');
    expect(state.champion).toEqual(next.champion);
    expect(state.inFlight).toBeUndefined();
    expect((await store.getDeployment('promote', d.inFlight.sortKey))?.status).toBe('succeeded');

    const wrong = deployment('promote', 4);
    expect(await store.claim('promote', wrong.inFlight, wrong.record, { kind: 'queued' }, NOW)).toBe(false);
    const right = deployment('promote', 5);
    expect(await store.claim('promote', right.inFlight, right.record, { kind: 'queued' }, NOW)).toBe(true);
    expect((await store.getState('promote')).queued).toBeUndefined();
  });

  it('rolls back once per request and only from the expected champion', async () => {
    await client.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: 'PIPELINE#rb', sk: 'STATE' },
        UpdateExpression: 'SET championVersion = :v',
        ExpressionAttributeValues: { ':v': 3 },
      }),
    );
    const rb = deployment('rb', 2, 'rollback-1');
    const mode = { kind: 'rollback', requestId: 'req-1', championVersion: 3 } as const;
    expect(await store.claim('rb', rb.inFlight, rb.record, { ...mode, championVersion: 4 }, NOW)).toBe(false);
    expect(await store.claim('rb', rb.inFlight, rb.record, mode, NOW)).toBe(true);
    await store.conclude('rb', rb.inFlight, { kind: 'rolled-back', reason: 'x' }, { previousChampions: [] }, 'now');
    const again = deployment('rb', 2, 'rollback-1b', '2026-01-03T00:00:00.000Z');
    expect(await store.claim('rb', again.inFlight, again.record, mode, NOW)).toBe(false);
    expect((await store.getState('rb')).lastRollbackRequestId).toBe('req-1');
  });

  it('gives the right to send an event to one caller, and back after a failed send', async () => {
    const d = deployment('events', 1);
    await store.claim('events', d.inFlight, d.record, { kind: 'approval' }, NOW);
    const claims = await Promise.all([1, 2, 3].map(() => store.claimEvent('events', d.inFlight.sortKey, 'started')));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await store.releaseEvent('events', d.inFlight.sortKey, 'started');
    expect(await store.claimEvent('events', d.inFlight.sortKey, 'started')).toBe(true);
    expect(await store.claimEvent('events', 'DEPLOYMENT#missing', 'outcome')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { decideOutcome, succession, type EndpointView } from '../../../functions/deployment/deployment-outcome';
import { champion, inFlight, state } from './fixtures';

const endpoint = (overrides: Partial<EndpointView>): EndpointView => ({
  endpointName: 'churn',
  status: 'InService',
  endpointConfigName: 'churn-v1-00000001',
  lastModifiedTime: '2026-01-01T00:05:00.000Z',
  ...overrides,
});
const target = 'churn-v2-00000002';

describe('decideOutcome', () => {
  it('succeeds when the endpoint is in service with the new config', () => {
    expect(decideOutcome(inFlight(2), endpoint({ endpointConfigName: target }))).toEqual({ kind: 'succeeded' });
    // Even before the request was noted: the update finished faster than the note.
    expect(decideOutcome(inFlight(2, { requested: false }), endpoint({ endpointConfigName: target }))).toEqual({
      kind: 'succeeded',
    });
  });

  it('reports a rollback with its reason when the old config is in service after the request', () => {
    const reason = 'Deployment was rolled back: CloudWatch alarm x was in ALARM state during the baking period.';
    expect(decideOutcome(inFlight(2), endpoint({ failureReason: reason }))).toEqual({ kind: 'rolled-back', reason });
    expect(decideOutcome(inFlight(2), endpoint({}))).toMatchObject({
      kind: 'rolled-back',
      reason: expect.stringMatching(/kept churn-v1-00000001 in service/),
    });
  });

  it('waits while the request is not made yet and the endpoint did not change since the claim', () => {
    const early = inFlight(2, { requested: false, claimedAt: '2026-01-01T00:10:00.000Z' });
    expect(decideOutcome(early, endpoint({ failureReason: 'an old rollback' }))).toEqual({ kind: 'pending' });
    expect(decideOutcome(early, endpoint({ status: 'Failed' }))).toEqual({ kind: 'pending' });
    expect(decideOutcome(early, undefined)).toEqual({ kind: 'pending' });
  });

  it('sees a rollback that ended before the request was noted, by its change time and reason', () => {
    const early = inFlight(2, { requested: false, claimedAt: '2026-01-01T00:00:00.000Z' });
    expect(decideOutcome(early, endpoint({ failureReason: 'alarm' }))).toEqual({
      kind: 'rolled-back',
      reason: 'alarm',
    });
  });

  it('waits while creating, updating or rolling back', () => {
    for (const status of ['Creating', 'Updating', 'SystemUpdating', 'RollingBack'] as const) {
      expect(decideOutcome(inFlight(2), endpoint({ status }))).toEqual({ kind: 'pending' });
    }
  });

  it('fails a create that failed and deletes the endpoint; keeps an endpoint whose rollback failed', () => {
    const create = inFlight(1, { previousEndpointConfigName: undefined });
    expect(decideOutcome(create, endpoint({ status: 'Failed', failureReason: 'no image' }))).toEqual({
      kind: 'failed',
      reason: 'no image',
      deleteEndpoint: true,
    });
    expect(decideOutcome(inFlight(2), endpoint({ status: 'UpdateRollbackFailed' }))).toMatchObject({
      kind: 'failed',
      deleteEndpoint: false,
    });
    expect(decideOutcome(inFlight(2), undefined)).toMatchObject({ kind: 'failed', deleteEndpoint: false });
    expect(decideOutcome(inFlight(2), endpoint({ status: 'Deleting' }))).toMatchObject({ kind: 'failed' });
  });
});

describe('succession', () => {
  const serving = state({ champion: champion(3), previousChampions: [champion(2), champion(1)] });

  it('makes the deployed model champion and the old champion the newest previous one, keeping keepPrevious', () => {
    const next = succession(
      serving,
      inFlight(4, { endpointConfigName: champion(4).endpointConfigName }),
      { kind: 'succeeded' },
      2,
    );
    expect(next).toEqual({ champion: champion(4), previousChampions: [champion(3), champion(2)] });
  });

  it('after a rollback, goes back one version and forgets the model it replaced', () => {
    const rollback = inFlight(2, { trigger: 'rollback', endpointConfigName: champion(2).endpointConfigName });
    expect(succession(serving, rollback, { kind: 'succeeded' }, 3)).toEqual({
      champion: champion(2),
      previousChampions: [champion(1)],
    });
  });

  it('keeps the champion after a failed or rolled-back deployment', () => {
    for (const outcome of [
      { kind: 'rolled-back', reason: 'x' },
      { kind: 'failed', reason: 'y', deleteEndpoint: false },
    ] as const) {
      expect(succession(serving, inFlight(4), outcome, 3)).toEqual({
        champion: champion(3),
        previousChampions: [champion(2), champion(1)],
      });
    }
  });

  it('makes the first model champion with no previous one', () => {
    expect(
      succession(
        state(),
        inFlight(1, { endpointConfigName: champion(1).endpointConfigName }),
        { kind: 'succeeded' },
        3,
      ),
    ).toEqual({
      champion: champion(1),
      previousChampions: [],
    });
  });
});

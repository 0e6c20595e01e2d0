import { describe, expect, it } from 'vitest';
import { approvalDecision, holdsSlot, rollbackDecision } from '../../../functions/deployment/deployment-state';
import { ARN, champion, inFlight, state } from './fixtures';

const NOW = 1_900_000_000;
const approval = (version: number, deploymentId = `v${version}-new`) => ({
  deploymentId,
  modelPackageArn: ARN(version),
  modelVersion: version,
});

describe('approvalDecision', () => {
  it('claims the slot for a newer approval when nothing is in flight', () => {
    expect(approvalDecision(state({ approvedVersion: 2, champion: champion(2) }), approval(3), NOW)).toEqual({
      kind: 'claim',
    });
  });

  it('queues a newer approval behind the deployment in flight', () => {
    const s = state({ approvedVersion: 3, inFlight: inFlight(3, { lockExpiresAt: NOW + 60 }) });
    expect(approvalDecision(s, approval(4), NOW)).toEqual({ kind: 'queue' });
  });

  it('takes the slot over when the lock of the deployment in flight expired', () => {
    const s = state({ approvedVersion: 3, inFlight: inFlight(3, { lockExpiresAt: NOW - 1 }) });
    expect(approvalDecision(s, approval(4), NOW)).toEqual({ kind: 'claim' });
  });

  it('resumes the deployment this very approval started (a retry)', () => {
    const running = inFlight(3, { deploymentId: 'v3-mine' });
    expect(approvalDecision(state({ approvedVersion: 3, inFlight: running }), approval(3, 'v3-mine'), NOW)).toEqual({
      kind: 'resume',
      inFlight: running,
    });
  });

  it('ignores a repeated or superseded approval, and the champion approved again', () => {
    expect(approvalDecision(state({ approvedVersion: 5 }), approval(5), NOW).kind).toBe('ignore');
    expect(approvalDecision(state({ approvedVersion: 5 }), approval(4), NOW)).toMatchObject({
      kind: 'ignore',
      reason: expect.stringMatching(/not newer than v5/),
    });
    expect(approvalDecision(state({ champion: champion(2), approvedVersion: 1 }), approval(2), NOW)).toMatchObject({
      kind: 'ignore',
      reason: 'v2 is the champion already',
    });
  });

  it('counts a lock as held up to and including its expiry second', () => {
    expect(holdsSlot(inFlight(1, { lockExpiresAt: NOW }), NOW)).toBe(true);
    expect(holdsSlot(inFlight(1, { lockExpiresAt: NOW - 1 }), NOW)).toBe(false);
    expect(holdsSlot(undefined, NOW)).toBe(false);
  });
});

describe('rollbackDecision', () => {
  const request = { requestId: 'r1', requestedBy: 'test' };
  const serving = state({ champion: champion(3), previousChampions: [champion(2), champion(1)], approvedVersion: 3 });

  it('rolls back to the newest previous champion', () => {
    expect(rollbackDecision(serving, { ...request, expectedChampionVersion: 3 }, 'rb', NOW)).toEqual({
      kind: 'claim',
      target: champion(2),
      champion: champion(3),
    });
  });

  it('refuses when the champion is not the one the request is about (already rolled back)', () => {
    expect(rollbackDecision(serving, { ...request, expectedChampionVersion: 4 }, 'rb', NOW)).toMatchObject({
      kind: 'refuse',
      reason: expect.stringMatching(/champion is v3, not v4/),
    });
  });

  it('refuses a request carried out already, with no champion, with nothing kept, or while a deployment runs', () => {
    expect(rollbackDecision({ ...serving, lastRollbackRequestId: 'r1' }, request, 'rb', NOW).kind).toBe('refuse');
    expect(rollbackDecision(state(), request, 'rb', NOW)).toMatchObject({ reason: /no champion/ });
    expect(rollbackDecision(state({ champion: champion(1) }), request, 'rb', NOW)).toMatchObject({
      reason: /no previous champion/,
    });
    expect(
      rollbackDecision({ ...serving, inFlight: inFlight(4, { lockExpiresAt: NOW + 1 }) }, request, 'rb', NOW),
    ).toMatchObject({ kind: 'refuse', reason: /in flight/ });
  });

  it('resumes its own deployment', () => {
    const running = inFlight(2, { deploymentId: 'rb', trigger: 'rollback' });
    expect(rollbackDecision({ ...serving, inFlight: running }, request, 'rb', NOW)).toEqual({
      kind: 'resume',
      inFlight: running,
    });
  });
});

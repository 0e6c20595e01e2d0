import { describe, expect, it } from 'vitest';
import { selectForDeletion, type DeploymentResources } from '../../../functions/deployment/housekeeping';
import { champion, inFlight, state } from './fixtures';

const deployment = (version: number, overrides: Partial<DeploymentResources> = {}): DeploymentResources => ({
  sortKey: `DEPLOYMENT#t${version}#d${version}`,
  modelVersion: version,
  modelName: `churn-v${version}-model`,
  endpointConfigName: `churn-v${version}-config`,
  ended: true,
  resourcesDeleted: false,
  ...overrides,
});

describe('selectForDeletion', () => {
  const history = [1, 2, 3, 4, 5, 6].map((v) => deployment(v));

  it('deletes versions older than the champion beyond the kept previous champions', () => {
    const s = state({ champion: champion(6), previousChampions: [champion(5), champion(4)] });
    expect(selectForDeletion(s, history, ['churn-v6-config'])).toEqual({
      models: ['churn-v1-model', 'churn-v2-model', 'churn-v3-model'],
      endpointConfigs: ['churn-v1-config', 'churn-v2-config', 'churn-v3-config'],
      sortKeys: ['DEPLOYMENT#t1#d1', 'DEPLOYMENT#t2#d2', 'DEPLOYMENT#t3#d3'],
    });
  });

  it('never deletes what the endpoint uses, what is in flight or queued, or versions newer than the champion', () => {
    const s = state({
      champion: champion(3),
      previousChampions: [],
      inFlight: inFlight(1),
      queued: { modelPackageArn: 'q', modelVersion: 2 },
    });
    const selected = selectForDeletion(s, [...history, deployment(0)], ['churn-v0-config']);
    expect(selected.endpointConfigs).toEqual([]);
  });

  it('skips deployments still running or already cleaned, and needs a champion', () => {
    const s = state({ champion: champion(6), previousChampions: [] });
    const selected = selectForDeletion(
      s,
      [deployment(1, { ended: false }), deployment(2, { resourcesDeleted: true }), deployment(3)],
      [],
    );
    expect(selected.endpointConfigs).toEqual(['churn-v3-config']);
    expect(selectForDeletion(state(), history, [])).toEqual({ models: [], endpointConfigs: [], sortKeys: [] });
  });

  it('deletes a name once even when several deployments used it, and a rollback that created no model', () => {
    const s = state({ champion: champion(6), previousChampions: [] });
    const selected = selectForDeletion(
      s,
      [deployment(2), deployment(2, { sortKey: 'again', modelName: undefined })],
      [],
    );
    expect(selected).toEqual({
      models: ['churn-v2-model'],
      endpointConfigs: ['churn-v2-config'],
      sortKeys: ['DEPLOYMENT#t2#d2', 'again'],
    });
  });
});

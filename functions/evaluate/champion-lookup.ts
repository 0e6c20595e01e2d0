/**
 * The champion and the lineage of its training data, read from the metadata table through the deployment and
 * training stores (their items, their invariants).
 */
import type { DeploymentStore } from '../metadata/deployment-store';
import type { TrainingStore } from '../metadata/training-store';
import type { ChampionLookup } from './live-evaluations';

/** The newest dataset (by check time) with a saved profile: its profile key. */
export function newestProfileKey(datasets: readonly Record<string, unknown>[]): string | undefined {
  let best: { key: string; at: string } | undefined;
  for (const d of datasets) {
    const key = d.profileKey;
    const at = typeof d.checkedAt === 'string' ? d.checkedAt : '';
    if (typeof key !== 'string' || key === '') continue;
    if (best === undefined || at > best.at) best = { key, at };
  }
  return best?.key;
}

/** {@link ChampionLookup} on the metadata table. */
export function metadataChampionLookup(deployments: DeploymentStore, training: TrainingStore): ChampionLookup {
  return {
    champion: async (pipeline) => (await deployments.getState(pipeline)).champion,
    trainingProfileKey: async (pipeline, modelVersion) => {
      const model = await training.modelByVersion(pipeline, modelVersion);
      if (model === undefined) return undefined;
      const run = await training.run(model.runId);
      const sortKeys = run?.datasetSortKeys ?? [];
      if (sortKeys.length === 0) return undefined;
      return newestProfileKey(await training.datasets(pipeline, sortKeys));
    },
  };
}

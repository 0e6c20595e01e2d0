/**
 * The evaluation settings of each pipeline, made at synth time. The feature list comes from the data contract
 * (functions/evaluation/feature-columns.ts): CSV requests are positional, and the contract's property order is the
 * order of their values.
 */
import type { PipelineConfig } from '../config/pipeline-config';
import { loadContract } from '../contracts/odcs-contract';
import { featureColumns } from '../evaluation/feature-columns';
import type { EvaluationPipelineSettings } from './evaluation-settings';

/** The settings of the pipelines that have an `evaluation` section. */
export function evaluationSettings(
  pipelines: readonly PipelineConfig[],
  readContract: (pipeline: PipelineConfig) => { readonly text: string; readonly file: string },
): EvaluationPipelineSettings[] {
  return pipelines.flatMap((p) => {
    if (p.evaluation === undefined) return [];
    const contract = readContract(p);
    return [
      {
        name: p.name,
        problemType: p.problemType,
        target: p.target,
        features: featureColumns(loadContract(contract.text, contract.file).plan.columns, p.target),
        endpointName: p.deployment.endpointName,
        evaluation: p.evaluation,
      },
    ];
  });
}

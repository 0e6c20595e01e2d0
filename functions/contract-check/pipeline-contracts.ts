import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import type { ContractPlan } from '../contracts/contract-plan';
import { compileContract, parseContract } from '../contracts/odcs-contract';

/** What the contract-check function knows of each pipeline (its `PIPELINES` environment variable, set by the CDK). */
export const PipelinesSettingSchema = z.array(
  z.object({
    name: z.string().min(1),
    landingPrefix: z.string().min(1),
    /** Contract path relative to the pipelines folder, e.g. `churn/contract.yaml`. */
    contract: z.string().min(1),
    maxObjectSizeBytes: z.number().int().positive(),
  }),
);
export type PipelineSetting = z.infer<typeof PipelinesSettingSchema>[number];

/** The pipeline whose landing prefix holds `key` (the longest prefix wins). */
export function pipelineForKey(pipelines: readonly PipelineSetting[], key: string): PipelineSetting | undefined {
  return [...pipelines]
    .sort((a, b) => b.landingPrefix.length - a.landingPrefix.length)
    .find((p) => key.startsWith(p.landingPrefix));
}

/**
 * Compiled contracts, one per pipeline, loaded once per container. The contract files travel with the function:
 * the bundle has a `pipelines/` folder beside its code (copied at synth by `ContractCheck`), and the local runtime
 * runs from the repository, whose `pipelines/` is in its working directory.
 */
export class PipelineContracts {
  private readonly plans = new Map<string, ContractPlan>();

  public constructor(
    private readonly searchDirs: readonly string[] = [
      path.join(import.meta.dirname, 'pipelines'),
      path.join(process.cwd(), 'pipelines'),
    ],
  ) {}

  public plan(pipeline: PipelineSetting): ContractPlan {
    const cached = this.plans.get(pipeline.name);
    if (cached) return cached;
    const dir = this.searchDirs.find((d) => fs.existsSync(path.join(d, pipeline.contract)));
    if (!dir) throw new Error(`contract ${pipeline.contract} not found in ${this.searchDirs.join(', ')}`);
    const file = path.join(dir, pipeline.contract);
    const plan = compileContract(parseContract(fs.readFileSync(file, 'utf8'), `pipelines/${pipeline.contract}`));
    this.plans.set(pipeline.name, plan);
    return plan;
  }
}

/**
 * Synthesizes the CDK app into a folder, as `bin/app.ts` builds it (the same stack, pipelines and cdk.json context),
 * in this process and without bundling the functions: the local runtime runs the TypeScript handlers named in each
 * function's `mlops:entry` metadata, never the bundles. Measured here: about 3 s, against 11 s for
 * `npx cdk synth` (a second Node process, esbuild for every function, the template validator and cdk-nag, which the
 * infrastructure tests run).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import * as z from 'zod';
import { parseEnvironmentContext } from '../functions/config/environment-context';
import { loadPipelines } from '../functions/config/load-pipelines';
import type { PipelineConfig } from '../functions/config/pipeline-config';
import { MlopsStack } from '../lib/mlops-stack';

/** What was synthesized. */
export interface SynthesizedApp {
  readonly cdkOutDir: string;
  readonly stackName: string;
  readonly stage: string;
  readonly pipelines: readonly PipelineConfig[];
}

const CdkJsonSchema = z.object({ context: z.record(z.string(), z.unknown()).default({}) });

/** Builds the app of `projectRoot` and writes its cloud assembly to `cdkOutDir`. */
export function synthesizeApp(projectRoot: string, cdkOutDir: string): SynthesizedApp {
  const { context } = CdkJsonSchema.parse(JSON.parse(fs.readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')));
  const app = new App({
    outdir: cdkOutDir,
    // The CDK CLI passes cdk.json's context to the app; `new App()` alone does not read it.
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
    // Its WebAssembly template validator took 2.6 s of a 2.7 s synth (docs/local.md); `cdk synth` still runs it.
    builtinCloudFormationValidation: false,
  });
  const environment = parseEnvironmentContext((key) => app.node.tryGetContext(key));
  const pipelines = loadPipelines(projectRoot);
  const stackName = `Mlops-${environment.stage}`;
  new MlopsStack(app, stackName, { pipelines, environment });
  app.synth();
  return { cdkOutDir, stackName, stage: environment.stage, pipelines };
}

#!/usr/bin/env node
// The CDK app: reads the pipeline folders and the environment context, and builds the stack. Nothing else.
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ContextConfigError, parseEnvironmentContext } from '../functions/config/environment-context';
import { loadPipelines, PipelineConfigError } from '../functions/config/load-pipelines';
import { MlopsStack } from '../lib/mlops-stack';

const app = new App();
const root = path.resolve(import.meta.dirname, '..');
try {
  const environment = parseEnvironmentContext((key) => app.node.tryGetContext(key));
  const pipelines = loadPipelines(root);
  new MlopsStack(app, `Mlops-${environment.stage}`, {
    pipelines,
    environment,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: `Serverless MLOps (${environment.stage}): ${pipelines.map((p) => p.name).join(', ')}`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  if (error instanceof PipelineConfigError || error instanceof ContextConfigError) {
    process.stderr.write(`Configuration is invalid:\n${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

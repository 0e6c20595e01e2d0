import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseEnvironmentContext } from '../../functions/config/environment-context';
import { loadPipelines } from '../../functions/config/load-pipelines';
import { MlopsStack } from '../../lib/mlops-stack';
import { cdkJsonContext, PROJECT_ROOT } from './cdk-context';

/**
 * The real app (the example pipelines and default context) synthesized once per test file, without bundling:
 * bundling is tested on its own, and skipping it keeps a synth under a few seconds.
 */
export function synthExampleApp(
  context: Record<string, unknown> = {},
  env: { account: string; region: string } | null = { account: '123456789012', region: 'eu-west-1' },
) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  const environment = parseEnvironmentContext((key) => app.node.tryGetContext(key));
  const stack = new MlopsStack(app, 'Test', {
    pipelines: loadPipelines(PROJECT_ROOT),
    environment,
    ...(env ? { env } : {}),
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Synthesizes `app` (with bundling) and returns its only function bundle, `index.mjs`: the file and its size. */
export function onlyBundle(app: App): { file: string; size: number } {
  const assembly = app.synth();
  const bundles = fs
    .readdirSync(assembly.directory)
    .filter((d) => d.startsWith('asset.'))
    .map((d) => path.join(assembly.directory, d, 'index.mjs'))
    .filter((file) => fs.existsSync(file));
  if (bundles.length !== 1) throw new Error(`expected one function bundle, found ${bundles.length}`);
  const file = bundles[0]!;
  return { file, size: fs.statSync(file).size };
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { loadPipelines, type PipelineConfig } from '../../functions/config/load-pipelines';
import { SageMakerHosting } from '../../functions/deploy/sagemaker-hosting';
import type { ChampionRef } from '../../functions/deployment/deployment-state';
import { DeploymentStore } from '../../functions/metadata/deployment-store';
import { EXIT, UsageError } from '../exit-codes';
import { continuedLines, printJson } from '../output';
import { addTargetOptions, resolveStackTarget, type ClientConfig, type TargetOptions } from '../stack-target';

/** Where the values of `status`'s labelled lines start (`  last deploy ` is 14 characters). */
const VALUE_COLUMN = 14;

/** The pipeline named `name` in the project, or a usage error that lists the pipelines there are. */
export function pipelineOrUsageError(projectRoot: string, name: string): PipelineConfig {
  const pipelines = loadPipelines(projectRoot);
  const found = pipelines.find((p) => p.name === name);
  if (found === undefined) {
    throw new UsageError(`no pipeline named ${name}; pipelines: ${pipelines.map((p) => p.name).join(', ') || 'none'}`);
  }
  return found;
}

/** The deployment store and SageMaker of the target, and how to let them go. */
export function deploymentClients(clientConfig: ClientConfig, tableName: string) {
  const dynamodb = new DynamoDBClient(clientConfig);
  const sagemaker = new SageMakerClient(clientConfig);
  return {
    store: new DeploymentStore(
      DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      tableName,
    ),
    hosting: new SageMakerHosting(sagemaker),
    sagemaker,
    close: () => {
      dynamodb.destroy();
      sagemaker.destroy();
    },
  };
}

const version = (ref: ChampionRef | undefined) => (ref === undefined ? 'none' : `v${ref.modelVersion}`);

/** `mlops status <pipeline>`: champion, endpoint, deployment in flight and queued, last deployment and evaluation. */
export function registerStatusCommand(program: Command, projectRoot: () => string): void {
  addTargetOptions(
    program
      .command('status')
      .argument('<pipeline>', 'pipeline name (folder under pipelines/)')
      .description('what serves a pipeline: champion, endpoint state, last deployment, last evaluation')
      .option('--json', 'print JSON'),
  ).action(async (name: string, options: TargetOptions & { json?: boolean }) => {
    const pipeline = pipelineOrUsageError(projectRoot(), name);
    const target = await resolveStackTarget({ ...options, projectRoot: projectRoot() });
    const clients = deploymentClients(target.clientConfig, target.outputs.metadataTableName);
    try {
      const endpointName = pipeline.deployment.endpointName;
      const [state, endpoint, [lastDeployment], lastEvaluation] = await Promise.all([
        clients.store.getState(name),
        clients.hosting.describeEndpoint(endpointName),
        clients.store.latestDeployments(name, 1),
        clients.store.latestEvaluation(name),
      ]);
      const status = {
        pipeline: name,
        endpoint: endpoint ?? { endpointName, status: 'absent' },
        champion: state.champion ?? null,
        previousChampions: state.previousChampions,
        deploymentInFlight: state.inFlight ?? null,
        queued: state.queued ?? null,
        lastDeployment: lastDeployment ?? null,
        lastEvaluation: lastEvaluation ?? null,
      };
      if (options.json) {
        printJson(status);
      } else {
        const lines = [
          `${name} on ${target.where === 'local' ? 'the local runtime' : target.stackName}`,
          `  champion    ${version(state.champion)}${state.champion ? ` (${state.champion.modelPackageArn})` : ''}`,
          `  previous    ${state.previousChampions.map((c) => `v${c.modelVersion}`).join(', ') || 'none'}`,
          `  endpoint    ${endpointName}: ${endpoint?.status ?? 'absent'}${endpoint ? ` with ${endpoint.endpointConfigName}` : ''}` +
            (endpoint?.pendingEndpointConfigName ? `, deploying ${endpoint.pendingEndpointConfigName}` : '') +
            (endpoint?.failureReason
              ? `\n${' '.repeat(VALUE_COLUMN)}${continuedLines(endpoint.failureReason, VALUE_COLUMN)}`
              : ''),
          `  in flight   ${state.inFlight ? `v${state.inFlight.modelVersion} (${state.inFlight.trigger}, ${state.inFlight.deploymentId}, since ${state.inFlight.claimedAt})` : 'none'}`,
          `  queued      ${state.queued ? `v${state.queued.modelVersion}` : 'none'}`,
          `  last deploy ${
            lastDeployment
              ? `v${lastDeployment.modelVersion} ${lastDeployment.status} ${lastDeployment.endedAt ?? lastDeployment.startedAt}` +
                (lastDeployment.reason ? `: ${continuedLines(lastDeployment.reason, VALUE_COLUMN)}` : '')
              : 'none'
          }`,
          `  last eval   ${
            lastEvaluation
              ? `${lastEvaluation.verdict ?? '?'} for ${lastEvaluation.windowStart ?? '?'} to ${lastEvaluation.windowEnd ?? '?'}` +
                ` (${lastEvaluation.matched ?? 0}/${lastEvaluation.samples ?? 0} labelled) ` +
                Object.entries(lastEvaluation.metrics)
                  .map(([metric, value]) => `${metric}=${Number(value.toPrecision(4))}`)
                  .join(' ')
              : 'none'
          }`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      process.exitCode = EXIT.ok;
    } finally {
      clients.close();
    }
  });
}

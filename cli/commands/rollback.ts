import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { DeploymentRunner } from '../../functions/deploy/deployment-runner';
import { deploymentSettings } from '../../functions/deployment/deployment-settings';
import { EXIT } from '../exit-codes';
import { printJson } from '../output';
import { addTargetOptions, DEFAULT_STAGE, resolveStackTarget, type TargetOptions } from '../stack-target';
import { deploymentClients, pipelineOrUsageError } from './status';

/**
 * `mlops rollback <pipeline>`: redeploys the previous champion through the same guarded path as every deployment
 * (the deployment runner, its conditional writes and events), here with the operator's credentials: it claims the
 * endpoint's slot and updates the endpoint to the previous champion's endpoint config with the guardrails of the
 * endpoint's last deployment (`RetainDeploymentConfig`). The deploy function concludes it on the endpoint's state
 * change, as any other deployment. Exit 1 when the rollback is refused (nothing to go back to, a deployment in
 * flight, or the champion changed meanwhile).
 */
export function registerRollbackCommand(program: Command, projectRoot: () => string): void {
  addTargetOptions(
    program
      .command('rollback')
      .argument('<pipeline>', 'pipeline name (folder under pipelines/)')
      .description('redeploy the previous champion through the guarded deployment path')
      .option('--json', 'print JSON'),
  ).action(async (name: string, options: TargetOptions & { json?: boolean }) => {
    const pipeline = pipelineOrUsageError(projectRoot(), name);
    const target = await resolveStackTarget({ ...options, projectRoot: projectRoot() });
    const clients = deploymentClients(target.clientConfig, target.outputs.metadataTableName);
    const events = new EventBridgeClient(target.clientConfig);
    try {
      const runner = new DeploymentRunner({
        store: clients.store,
        hosting: clients.hosting,
        publish: async (entry) => {
          const sent = await events.send(new PutEventsCommand({ Entries: [entry] }));
          if (sent.FailedEntryCount) throw new Error(`PutEvents failed: ${sent.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
        },
        busName: target.outputs.eventBusName,
        // Only the endpoint, strategy label and keepPrevious matter here: a rollback creates nothing and retains the
        // endpoint's guardrails, so the alarm names (which depend on the stage) and the VPC are not used.
        settings: [deploymentSettings(pipeline, { stage: options.stage ?? DEFAULT_STAGE, networkIsolation: false })],
      });
      const champion = (await clients.store.getState(name)).champion;
      const result = await runner.rollback(
        name,
        {
          requestId: randomUUID(),
          ...(champion ? { expectedChampionVersion: champion.modelVersion } : {}),
          requestedBy: `mlops rollback (${os.userInfo().username})`,
        },
        'retain',
      );
      const refused = result.kind === 'refused' || result.kind === 'ignored';
      if (options.json) printJson({ pipeline: name, fromModelVersion: champion?.modelVersion ?? null, result });
      else if (refused) process.stdout.write(`${name}: rollback refused: ${result.reason}\n`);
      else if (result.kind === 'settled' && result.started)
        process.stdout.write(
          `${name}: rolling back from v${champion?.modelVersion ?? '?'} to v${result.started.modelVersion} ` +
            `(deployment ${result.started.deploymentId}); follow it with mlops status ${name}\n`,
        );
      else process.stdout.write(`${name}: ${JSON.stringify(result)}\n`);
      process.exitCode = refused ? EXIT.negative : EXIT.ok;
    } finally {
      events.destroy();
      clients.close();
    }
  });
}

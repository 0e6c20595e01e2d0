import * as os from 'node:os';
import {
  ListModelPackagesCommand,
  UpdateModelPackageCommand,
  type ModelPackageSummary,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { Command } from 'commander';
import { EXIT, UsageError } from '../exit-codes';
import { printJson } from '../output';
import { addTargetOptions, resolveStackTarget, type TargetOptions } from '../stack-target';
import { deploymentClients, pipelineOrUsageError } from './status';

/** The package of `version` in `group`, by listing the group (versioned packages are named by ARN only). */
async function findPackage(
  sagemaker: SageMakerClient,
  group: string,
  version: number,
): Promise<ModelPackageSummary | undefined> {
  let next: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: group, MaxResults: 100, NextToken: next }),
    );
    const found = page.ModelPackageSummaryList?.find((p) => p.ModelPackageVersion === version);
    if (found !== undefined) return found;
    next = page.NextToken;
  } while (next !== undefined);
  return undefined;
}

/**
 * `mlops approve <pipeline> <model-version>`: sets the package `Approved` in the Model Registry, exactly as an
 * approval in Studio or `aws sagemaker update-model-package` would; the registry's state-change event starts the
 * guarded deployment (docs/deployment.md).
 */
export function registerApproveCommand(program: Command, projectRoot: () => string): void {
  addTargetOptions(
    program
      .command('approve')
      .argument('<pipeline>', 'pipeline name (folder under pipelines/)')
      .argument('<model-version>', 'model version number in the registry', (v) => Number.parseInt(v, 10))
      .description('approve a registered model version; its deployment follows through the guarded path')
      .option('-m, --message <text>', 'approval description recorded in the registry')
      .option('--json', 'print JSON'),
  ).action(async (name: string, version: number, options: TargetOptions & { message?: string; json?: boolean }) => {
    if (!Number.isInteger(version) || version < 1) throw new UsageError('<model-version> must be a positive integer');
    const pipeline = pipelineOrUsageError(projectRoot(), name);
    const group = pipeline.registry.modelPackageGroupName;
    const target = await resolveStackTarget({ ...options, projectRoot: projectRoot() });
    const clients = deploymentClients(target.clientConfig, target.outputs.metadataTableName);
    try {
      const found = await findPackage(clients.sagemaker, group, version);
      if (found?.ModelPackageArn === undefined) {
        throw new UsageError(`model package group ${group} has no version ${version}`);
      }
      const previousStatus = found.ModelApprovalStatus ?? 'PendingManualApproval';
      if (previousStatus !== 'Approved') {
        await clients.sagemaker.send(
          new UpdateModelPackageCommand({
            ModelPackageArn: found.ModelPackageArn,
            ModelApprovalStatus: 'Approved',
            ApprovalDescription: (options.message ?? `approved with mlops approve by ${os.userInfo().username}`).slice(
              0,
              1024,
            ),
          }),
        );
      }
      // The deployment takes only approvals newer than every approval it took (docs/deployment.md).
      const { approvedVersion } = await clients.store.getState(name);
      const result = {
        pipeline: name,
        modelVersion: version,
        modelPackageArn: found.ModelPackageArn,
        previousStatus,
        approvalStatus: 'Approved',
        changed: previousStatus !== 'Approved',
        deploys: previousStatus !== 'Approved' && version > approvedVersion,
      };
      if (options.json) printJson(result);
      else if (!result.changed) process.stdout.write(`${name} v${version} was approved already; nothing changed\n`);
      else if (result.deploys)
        process.stdout.write(
          `${name} v${version} approved (was ${previousStatus}); its deployment follows: mlops status ${name}\n`,
        );
      else
        process.stdout.write(
          `${name} v${version} approved (was ${previousStatus}), but v${approvedVersion} was approved after it: ` +
            `v${version} will not be deployed (to go back to an earlier champion: mlops rollback ${name})\n`,
        );
      process.exitCode = EXIT.ok;
    } finally {
      clients.close();
    }
  });
}

import type { ProvisionedApp } from '../runtime-model';
import type { ProvisionedStack } from './provisioner';

function isStack(app: ProvisionedApp): app is ProvisionedStack {
  return 'provisioned' in app && 'warnings' in app;
}

/**
 * A plain-text report of a provisioning: resources per type, what the local runtime runs (functions, rule
 * targets, schedules, queue sources), what was not provisioned and why, and warnings.
 */
export function formatProvisionReport(app: ProvisionedApp): string {
  const lines: string[] = [];
  if (isStack(app)) {
    lines.push(`Provisioned stack ${app.stackName} into account ${app.accountId} (${app.region}):`);
    const width = Math.max(0, ...app.provisioned.map((entry) => entry.type.length));
    for (const entry of app.provisioned) lines.push(`  ${entry.type.padEnd(width)}  ${entry.logicalIds.length}`);
  } else {
    lines.push(`Provisioned ${Object.keys(app.physicalIds).length} resources:`);
  }
  lines.push(`Local functions (${app.functions.length}):`);
  for (const fn of app.functions) {
    const failure = fn.asyncInvoke.onFailureQueueUrl ?? fn.asyncInvoke.onFailureDestinationArn ?? 'none';
    lines.push(
      `  ${fn.logicalId}  ${fn.entry}#${fn.handlerExport}  timeout ${fn.timeoutSeconds}s, ${fn.memorySizeMb} MB, ` +
        `retries ${fn.asyncInvoke.maximumRetryAttempts}, max age ${fn.asyncInvoke.maximumEventAgeSeconds}s, on failure ${failure}`,
    );
  }
  lines.push(`Rule targets re-pointed at inbox queues (${app.ruleTargets.length}):`);
  for (const target of app.ruleTargets) {
    lines.push(
      `  ${target.ruleName} (bus ${target.eventBusName}) -> ${target.functionLogicalId} via ${target.inboxQueueUrl}`,
    );
  }
  lines.push(`Schedules run by the local scheduler (${app.schedules.length}):`);
  for (const schedule of app.schedules) {
    lines.push(`  ${schedule.name}  ${schedule.scheduleExpression} -> ${schedule.functionLogicalId}`);
  }
  lines.push(`Queue sources polled locally (${app.queueSources.length}):`);
  for (const source of app.queueSources) {
    lines.push(`  ${source.queueUrl} -> ${source.functionLogicalId} (batch ${source.batchSize})`);
  }
  lines.push(`Not provisioned (${app.notProvisioned.reduce((sum, entry) => sum + entry.logicalIds.length, 0)}):`);
  for (const entry of app.notProvisioned) {
    lines.push(`  ${entry.type} x${entry.logicalIds.length}: ${entry.reason}`);
    lines.push(`    ${entry.logicalIds.join(', ')}`);
  }
  if (isStack(app) && app.warnings.length > 0) {
    lines.push(`Warnings (${app.warnings.length}):`);
    for (const warning of app.warnings) lines.push(`  ${warning.logicalId}: ${warning.message}`);
  }
  return lines.join('\n');
}

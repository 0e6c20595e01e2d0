import type {
  DeploymentFailedDetail,
  DeploymentRolledBackDetail,
  DeploymentStartedDetail,
  DeploymentSucceededDetail,
} from '../../events/lifecycle';
import { bold, code, preformatted } from '../mrkdwn';
import {
  dashboardLink,
  type ContentRenderer,
  type Fact,
  type LinkRef,
  type RenderContext,
} from '../notification-content';

type Deployment = DeploymentStartedDetail;

/** How traffic moves from the old to the new fleet (SageMaker blue/green deployment guardrails). */
const STRATEGY_LABELS: Record<Deployment['strategy'], string> = {
  allAtOnce: 'blue/green, all at once',
  canary: 'blue/green, canary',
  linear: 'blue/green, linear',
};

/** `arn:…:model-package/<group>/<version>` → group, or undefined for any other shape. */
export function modelPackageGroupOf(modelPackageArn: string): string | undefined {
  return /:model-package\/([^/]+)\/\d+$/.exec(modelPackageArn)?.[1];
}

function deploymentFacts(d: Deployment, progress: string): Fact[] {
  return [
    { label: 'Endpoint', value: [code(d.endpointName)] },
    {
      label: 'Model version',
      value:
        d.previousModelVersion === undefined
          ? [`v${d.modelVersion}`]
          : [`v${d.previousModelVersion} → v${d.modelVersion}`],
    },
    { label: 'Strategy', value: [STRATEGY_LABELS[d.strategy]] },
    { label: 'Progress', value: [progress] },
    { label: 'Endpoint config', value: [code(d.endpointConfigName)] },
    { label: 'Deployment', value: [code(d.deploymentId)] },
  ];
}

function deploymentLinks(d: Deployment, context: RenderContext): LinkRef[] {
  const group = modelPackageGroupOf(d.modelPackageArn);
  return [
    { label: 'Endpoint', url: context.links.endpoint(d.endpointName) },
    { label: 'Endpoint config', url: context.links.endpointConfig(d.endpointConfigName) },
    { label: 'Endpoint logs', url: context.links.endpointLogs(d.endpointName) },
    ...(group === undefined ? [] : [{ label: 'Model registry', url: context.links.modelPackageGroup(group) }]),
    ...dashboardLink(context),
  ];
}

/** `Deployment Started`: what replaces what, and how traffic shifts. */
export const renderDeploymentStarted: ContentRenderer<DeploymentStartedDetail> = (d, context) => ({
  emoji: ':rocket:',
  title: 'Deployment started',
  summary: [
    'Deploying ',
    bold(`v${d.modelVersion}`),
    ' to endpoint ',
    code(d.endpointName),
    d.previousModelVersion === undefined ? ' (first deployment)' : ` (replacing v${d.previousModelVersion})`,
    ` with ${STRATEGY_LABELS[d.strategy]} traffic shifting. It rolls back automatically if the endpoint's alarms fire.`,
  ],
  facts: deploymentFacts(d, `shifting traffic to v${d.modelVersion}`),
  links: deploymentLinks(d, context),
});

/** `Deployment Succeeded`: the new version serves all traffic and is the champion. */
export const renderDeploymentSucceeded: ContentRenderer<DeploymentSucceededDetail> = (d, context) => ({
  emoji: ':white_check_mark:',
  title: 'Deployment succeeded',
  summary: [
    bold(`v${d.modelVersion}`),
    ' serves all traffic on endpoint ',
    code(d.endpointName),
    ' and is the champion now.',
  ],
  facts: deploymentFacts(d, `complete: 100% of traffic on v${d.modelVersion}`),
  links: deploymentLinks(d, context),
});

/** `Deployment Failed`: why; the previous version keeps serving. */
export const renderDeploymentFailed: ContentRenderer<DeploymentFailedDetail> = (d, context) => ({
  emoji: ':x:',
  title: 'Deployment failed',
  summary: [
    'Deploying ',
    bold(`v${d.modelVersion}`),
    ' to endpoint ',
    code(d.endpointName),
    ' failed.',
    d.previousModelVersion === undefined ? '' : ` v${d.previousModelVersion} keeps serving.`,
  ],
  facts: deploymentFacts(d, 'failed'),
  details: [{ heading: 'Reason', items: [[preformatted(d.reason)]], more: () => '' }],
  links: deploymentLinks(d, context),
});

/** `Deployment Rolled Back`: why, and which version serves now. */
export const renderDeploymentRolledBack: ContentRenderer<DeploymentRolledBackDetail> = (d, context) => ({
  emoji: ':rewind:',
  title: 'Deployment rolled back',
  summary: [
    'Endpoint ',
    code(d.endpointName),
    ' was rolled back',
    d.previousModelVersion === undefined ? '' : ` to v${d.previousModelVersion}`,
    '; ',
    bold(`v${d.modelVersion}`),
    ' no longer serves traffic.',
  ],
  facts: deploymentFacts(
    d,
    d.previousModelVersion === undefined ? 'rolled back' : `rolled back: traffic on v${d.previousModelVersion}`,
  ),
  details: [{ heading: 'Reason', items: [[preformatted(d.reason)]], more: () => '' }],
  links: deploymentLinks(d, context),
});

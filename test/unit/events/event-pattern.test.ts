import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { s3ObjectCreatedPattern } from '../../../functions/events/aws-s3';
import {
  endpointDeploymentStateChangePattern,
  endpointStateChangePattern,
  modelPackageApprovedPattern,
  trainingJobStateChangePattern,
} from '../../../functions/events/aws-sagemaker';
import { type EventPattern, toEventBridgePattern } from '../../../functions/events/event-pattern';
import { DatasetAccepted, LIFECYCLE_EVENTS, lifecyclePattern } from '../../../functions/events/lifecycle';
import { compileEventPattern } from '../../../functions/events/pattern-match';

/** Every builder, as `lib/` calls it. */
const PATTERNS: readonly (readonly [string, EventPattern])[] = [
  ['s3ObjectCreatedPattern', s3ObjectCreatedPattern('landing-bkt', ['churn/incoming/', 'fraud/incoming/'])],
  ['trainingJobStateChangePattern', trainingJobStateChangePattern(['churn-'], ['Completed', 'Failed', 'Stopped'])],
  ['endpointStateChangePattern', endpointStateChangePattern(['churn-prod'])],
  ['endpointDeploymentStateChangePattern', endpointDeploymentStateChangePattern(['churn-prod'])],
  ['modelPackageApprovedPattern', modelPackageApprovedPattern(['churn-models'])],
  ['lifecyclePattern (one event)', lifecyclePattern([DatasetAccepted], ['churn'])],
  ['lifecyclePattern (all events)', lifecyclePattern(LIFECYCLE_EVENTS, ['churn', 'fraud'])],
];

/** The EventPattern the CDK synthesizes for a rule built from `pattern`. */
function synthesized(pattern: EventPattern): unknown {
  const stack = new Stack(new App(), 'Events');
  // Compiles only because our EventPattern is assignable to the CDK's: the builders can be passed to lib/ as is.
  new events.Rule(stack, 'Rule', { eventPattern: pattern });
  const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
  expect(rules).toHaveLength(1);
  const [rule] = rules;
  return rule?.Properties?.EventPattern;
}

describe('toEventBridgePattern', () => {
  it.each(PATTERNS)('renders %s exactly as the CDK synthesizes it', (_name, pattern) => {
    expect(toEventBridgePattern(pattern)).toEqual(synthesized(pattern));
  });

  it.each(PATTERNS)('renders %s as a pattern EventBridge accepts', (_name, pattern) => {
    expect(() => compileEventPattern(toEventBridgePattern(pattern))).not.toThrow();
  });

  it('renames detailType to detail-type and leaves out absent fields', () => {
    const pattern: EventPattern = { source: ['aws.s3'], detailType: ['Object Created'], account: undefined };

    expect(toEventBridgePattern(pattern)).toEqual({ source: ['aws.s3'], 'detail-type': ['Object Created'] });
    expect(Object.keys(toEventBridgePattern(pattern))).toEqual(['detail-type', 'source']);
  });

  it('keeps every envelope field', () => {
    const pattern: EventPattern = {
      version: ['0'],
      id: ['i'],
      detailType: ['d'],
      source: ['s'],
      account: ['123456789012'],
      time: ['t'],
      region: ['eu-west-1'],
      resources: ['arn:aws:s3:::b'],
      detail: { k: ['v'] },
    };

    expect(toEventBridgePattern(pattern)).toEqual({
      version: ['0'],
      id: ['i'],
      'detail-type': ['d'],
      source: ['s'],
      account: ['123456789012'],
      time: ['t'],
      region: ['eu-west-1'],
      resources: ['arn:aws:s3:::b'],
      detail: { k: ['v'] },
    });
  });
});

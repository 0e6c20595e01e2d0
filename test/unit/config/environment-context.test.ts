import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ContextConfigError,
  parseEnvironmentContext,
  type EnvironmentContext,
} from '../../../functions/config/environment-context';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../../..');

/** A context lookup backed by a plain object, as `app.node.tryGetContext` would answer. */
const contextOf =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

/** The error parsing `values` throws; fails the test if it does not throw one. */
function rejection(values: Record<string, unknown>): ContextConfigError {
  try {
    parseEnvironmentContext(contextOf(values));
  } catch (error) {
    if (error instanceof ContextConfigError) return error;
    throw error;
  }
  throw new Error('expected the context to be rejected, but it was accepted');
}

const SUBNET = 'subnet-0123456789abcdef0';
const SECURITY_GROUP = 'sg-0123456789abcdef0';

describe('parseEnvironmentContext', () => {
  it('applies the defaults when no key is set', () => {
    const context: EnvironmentContext = parseEnvironmentContext(() => undefined);
    expect(context).toStrictEqual({ stage: 'dev', networkIsolation: false, removalPolicy: 'retain' });
  });

  it('accepts the context in cdk.json, where an empty Slack secret name means none', () => {
    const cdkJson: unknown = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
    const context =
      typeof cdkJson === 'object' && cdkJson !== null && 'context' in cdkJson && typeof cdkJson.context === 'object'
        ? { ...cdkJson.context }
        : {};
    expect(parseEnvironmentContext(contextOf(context))).toMatchObject({ stage: 'dev' });
    expect(parseEnvironmentContext(contextOf(context)).slackSecretName).toBeUndefined();
  });

  it('reads every key, taking the VPC as JSON text and booleans as strings from `-c key=value`', () => {
    const context = parseEnvironmentContext(
      contextOf({
        'mlops:stage': 'prod-eu',
        'mlops:slackSecretName': 'mlops/slack-webhooks',
        'mlops:vpc': JSON.stringify({ subnetIds: [SUBNET, 'subnet-0a1b2c3d'], securityGroupIds: [SECURITY_GROUP] }),
        'mlops:networkIsolation': 'true',
        'mlops:removalPolicy': 'destroy',
        'mlops:alarmEmail': 'ml-oncall@example.com',
      }),
    );
    expect(context).toStrictEqual({
      stage: 'prod-eu',
      slackSecretName: 'mlops/slack-webhooks',
      vpc: { subnetIds: [SUBNET, 'subnet-0a1b2c3d'], securityGroupIds: [SECURITY_GROUP] },
      networkIsolation: true,
      removalPolicy: 'destroy',
      alarmEmail: 'ml-oncall@example.com',
    });
  });

  it('takes the VPC as an object from cdk.json', () => {
    const context = parseEnvironmentContext(
      contextOf({ 'mlops:vpc': { subnetIds: [SUBNET], securityGroupIds: [SECURITY_GROUP] } }),
    );
    expect(context.vpc).toEqual({ subnetIds: [SUBNET], securityGroupIds: [SECURITY_GROUP] });
  });

  it('fails if a subnet id is not one', () => {
    const error = rejection({ 'mlops:vpc': { subnetIds: ['abc'], securityGroupIds: [SECURITY_GROUP] } });
    expect(error.message).toBe(
      'cdk.json context: mlops:vpc.subnetIds[0]: expected a subnet id (subnet-...), got "abc"',
    );
    expect(error.name).toBe('ContextConfigError');
    expect(error.problems).toEqual([
      {
        file: 'cdk.json context',
        path: 'mlops:vpc.subnetIds[0]',
        message: 'expected a subnet id (subnet-...), got "abc"',
      },
    ]);
  });

  it('fails if the VPC lacks security groups, has an unknown key or is not JSON', () => {
    expect(
      rejection({ 'mlops:vpc': { subnetIds: [SUBNET], securityGroupId: [SECURITY_GROUP] } }).message.split('\n'),
    ).toEqual([
      'cdk.json context: mlops:vpc.securityGroupIds: expected a list of 1 to 5 security group ids, got nothing',
      'cdk.json context: mlops:vpc.securityGroupId: unknown key, did you mean "securityGroupIds"?',
    ]);
    expect(rejection({ 'mlops:vpc': '{subnetIds: [subnet-1]}' }).message).toBe(
      'cdk.json context: mlops:vpc: expected a mapping {subnetIds, securityGroupIds} or its JSON text, got "{subnetIds: [subnet-1]}"',
    );
  });

  it('fails on an invalid stage, removal policy, boolean or email, reporting all of them', () => {
    expect(
      rejection({
        'mlops:stage': 'Prod',
        'mlops:removalPolicy': 'destory',
        'mlops:networkIsolation': 'yes',
        'mlops:alarmEmail': 'oncall',
      }).message.split('\n'),
    ).toEqual([
      'cdk.json context: mlops:stage: expected a stage name of 1 to 16 characters: a lowercase letter, then lowercase letters, digits or hyphens, got "Prod"',
      'cdk.json context: mlops:networkIsolation: expected true or false, got "yes"',
      'cdk.json context: mlops:removalPolicy: expected one of retain, destroy, got "destory" (did you mean "destroy"?)',
      'cdk.json context: mlops:alarmEmail: expected an email address, got "oncall"',
    ]);
  });

  it('fails on a Slack secret name with characters Secrets Manager rejects', () => {
    expect(rejection({ 'mlops:slackSecretName': 'slack webhook' }).message).toBe(
      'cdk.json context: mlops:slackSecretName: expected a Secrets Manager secret name (letters, digits and /_+=.@-), got "slack webhook"',
    );
  });
});

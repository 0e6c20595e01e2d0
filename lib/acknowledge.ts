import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on the construct that causes it, with a reason that names what compensates.
 * cdk-nag v3 replaced `NagSuppressions` with CDK's `Validations.of(x).acknowledge(...)`, which rejects finding ids
 * that contain an ARN (`::`; cdklabs/cdk-nag#2351, #2359), so granular `IAM5[Resource::arn]` ids cannot be used:
 * acknowledge the rule on the narrowest construct instead (a role or policy, never the stack), and say which
 * wildcards it covers in the reason.
 */
export function acknowledge(scope: IConstruct, ruleId: `AwsSolutions-${string}`, reason: string): void {
  Validations.of(scope).acknowledge({ id: ruleId, reason });
}

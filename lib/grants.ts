import { Stack, type CfnElement } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { METADATA_TABLE_KEYS } from '../functions/metadata/table-keys';
import { acknowledge } from './acknowledge';

/** What a principal may do with the objects of a bucket (or of one key prefix in it). */
export type ObjectAccess = 'read' | 'write' | 'read-write' | 'read-write-delete' | 'read-delete';

const OBJECT_ACTIONS: Record<ObjectAccess, readonly string[]> = {
  read: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging'],
  write: ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'],
  'read-write': [],
  'read-write-delete': [],
  'read-delete': [],
};
OBJECT_ACTIONS['read-write'] = [...OBJECT_ACTIONS.read, ...OBJECT_ACTIONS.write];
OBJECT_ACTIONS['read-write-delete'] = [...OBJECT_ACTIONS['read-write'], 's3:DeleteObject', 's3:DeleteObjectVersion'];
OBJECT_ACTIONS['read-delete'] = [...OBJECT_ACTIONS.read, 's3:DeleteObject', 's3:DeleteObjectVersion'];

const KMS_ACTIONS: Record<ObjectAccess, readonly string[]> = {
  read: ['kms:Decrypt'],
  // SSE-KMS writes need a data key; multipart uploads also decrypt it to complete.
  write: ['kms:GenerateDataKey', 'kms:Decrypt'],
  'read-write': ['kms:GenerateDataKey', 'kms:Decrypt'],
  'read-write-delete': ['kms:GenerateDataKey', 'kms:Decrypt'],
  'read-delete': ['kms:Decrypt'],
};

export interface GrantObjectAccessOptions {
  /**
   * Limits access to keys under this prefix (and listing to it).
   * @default - the whole bucket
   */
  readonly prefix?: string;
  /** The key that encrypts the bucket, if any; its use is limited to S3 in this region. */
  readonly key?: kms.IKey;
}

/**
 * Grants exactly the object actions of `access` (no `s3:Get*`-style action wildcards, unlike `bucket.grantRead`),
 * plus listing and the key actions they need, and acknowledges the one wildcard that is inherent to object
 * access: the object ARN pattern `bucket/prefix*`. The acknowledgement is on `role`, for that pattern only.
 */
export function grantObjectAccess(
  role: iam.Role,
  bucket: s3.IBucket,
  access: ObjectAccess,
  options: GrantObjectAccessOptions = {},
): void {
  const prefix = options.prefix ?? '';
  role.addToPolicy(
    new iam.PolicyStatement({ actions: [...OBJECT_ACTIONS[access]], resources: [bucket.arnForObjects(`${prefix}*`)] }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [bucket.bucketArn],
      ...(prefix ? { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
    }),
  );
  if (options.key) {
    const stack = Stack.of(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [...KMS_ACTIONS[access]],
        resources: [options.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
  }
  const logicalId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`,
    `Object-level access (${access}) to the objects of ${bucket.node.path}${prefix ? ` under ${prefix}` : ''}; S3 object ARNs are patterns by nature.`,
  );
}

/** Acknowledges the `Resource::*` finding of `role`, for actions that have no resource types (X-Ray, PutMetricData). */
export function acknowledgeActionsWithoutResourceTypes(role: iam.Role, actions: readonly string[]): void {
  acknowledge(
    role,
    'AwsSolutions-IAM5[Resource::*]',
    `${actions.join(', ')} support no resource-level permissions; every other statement of this role names its resources (asserted in test/infra).`,
  );
}

/**
 * How cdk-nag prints a resource in a finding id: literal text, `<LogicalId.Attr>` for `Fn::GetAtt`, `<Name>` for
 * `Ref` (pseudo parameters included), concatenated for `Fn::Join`. Used to acknowledge exactly one ARN pattern.
 */
export function nagResourceId(scope: Stack, arn: string): string {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (typeof value !== 'object' || value === null) return String(value);
    if ('Ref' in value) return `<${String(value.Ref)}>`;
    if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) return `<${value['Fn::GetAtt'].join('.')}>`;
    if ('Fn::Join' in value && Array.isArray(value['Fn::Join'])) {
      const join: unknown[] = value['Fn::Join'];
      const parts = join[1];
      return Array.isArray(parts) ? parts.map(render).join(String(join[0])) : String(parts);
    }
    return JSON.stringify(value);
  };
  return render(scope.resolve(arn));
}

/**
 * Grants `actions` on the metadata table and its `byId` index (reads by id go through the index; writes go to the
 * table, so a write action on the index ARN grants nothing).
 */
export function grantMetadataTable(role: iam.Role, table: dynamodb.ITable, actions: readonly string[]): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [...actions],
      resources: [table.tableArn, `${table.tableArn}/index/${METADATA_TABLE_KEYS.byIdIndex.name}`],
    }),
  );
}

/** Lambda holds 4 KB of environment variables per function; pipeline settings leave 1 KB for the others. */
const MAX_SETTINGS_BYTES = 4096 - 1024;

/** Fails synth when a function's compressed pipeline settings do not fit its environment. */
export function validateSettingsSize(scope: Construct, what: string, pipelines: number, encoded: string): void {
  scope.node.addValidation({
    validate: () =>
      Buffer.byteLength(encoded) > MAX_SETTINGS_BYTES
        ? [
            `the ${what} settings of ${pipelines} pipelines take ${Buffer.byteLength(encoded)} bytes compressed; Lambda environments hold 4 KB: deploy fewer pipelines per stage`,
          ]
        : [],
  });
}

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  UpdateAliasCommand,
  KeySpec,
  KeyUsageType,
} from '@aws-sdk/client-kms';
import * as z from 'zod';
import { CfnBoolean, CfnJsonDocument, CfnTags, jsonText } from './cfn-schemas';
import { isAwsError, parseProperties, provisionFailure, type ResourceHandler } from './resource-context';

const KeyProperties = z.looseObject({
  Description: z.string().optional(),
  KeyPolicy: CfnJsonDocument.optional(),
  KeyUsage: z.enum(KeyUsageType).optional(),
  KeySpec: z.enum(KeySpec).optional(),
  EnableKeyRotation: CfnBoolean.optional(),
  Tags: CfnTags,
});

const AliasProperties = z.looseObject({ AliasName: z.string(), TargetKeyId: z.string() });

/**
 * `AWS::KMS::Key` -> CreateKey. Keys have no name, so each gets a marker alias
 * (`alias/mlops-local/<stack>/<logicalId>`) that makes a second provisioning find the first key.
 * Ref is the key id; attributes `Arn` and `KeyId`.
 */
export const provisionKmsKey: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, KeyProperties);
  const kms = ctx.clients.kms;
  const marker = `alias/mlops-local/${ctx.stackName}/${ctx.logicalId}`.replace(/[^A-Za-z0-9/_-]/g, '-');
  let keyId: string | undefined;
  let arn: string | undefined;
  try {
    const existing = await kms.send(new DescribeKeyCommand({ KeyId: marker }));
    keyId = existing.KeyMetadata?.KeyId;
    arn = existing.KeyMetadata?.Arn;
  } catch (error) {
    if (!isAwsError(error, 'NotFoundException')) throw provisionFailure(ctx, 'DescribeKey', error);
  }
  if (keyId === undefined) {
    try {
      const created = await kms.send(
        new CreateKeyCommand({
          Description: props.Description,
          ...(props.KeyPolicy === undefined ? {} : { Policy: jsonText(props.KeyPolicy) }),
          KeyUsage: props.KeyUsage,
          KeySpec: props.KeySpec,
          Tags: props.Tags?.map((tag) => ({ TagKey: tag.Key, TagValue: tag.Value })),
        }),
      );
      keyId = created.KeyMetadata?.KeyId;
      arn = created.KeyMetadata?.Arn;
      await kms.send(new CreateAliasCommand({ AliasName: marker, TargetKeyId: keyId }));
    } catch (error) {
      throw provisionFailure(ctx, 'CreateKey', error);
    }
  }
  if (keyId === undefined || arn === undefined)
    throw provisionFailure(ctx, 'CreateKey', new Error('no key id returned'));
  if (props.EnableKeyRotation === true) await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  return { physicalId: keyId, attributes: { Arn: arn, KeyId: keyId } };
};

/** `AWS::KMS::Alias` -> CreateAlias (UpdateAlias when it exists). Ref is the alias name. */
export const provisionKmsAlias: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, AliasProperties);
  try {
    await ctx.clients.kms.send(new CreateAliasCommand({ AliasName: props.AliasName, TargetKeyId: props.TargetKeyId }));
  } catch (error) {
    if (!isAwsError(error, 'AlreadyExistsException')) throw provisionFailure(ctx, 'CreateAlias', error);
    await ctx.clients.kms.send(new UpdateAliasCommand({ AliasName: props.AliasName, TargetKeyId: props.TargetKeyId }));
  }
  return { physicalId: props.AliasName };
};

import { CreateModelPackageGroupCommand, DescribeModelPackageGroupCommand } from '@aws-sdk/client-sagemaker';
import * as z from 'zod';
import { CfnTags } from './cfn-schemas';
import { isAwsError, parseProperties, provisionFailure, type ResourceHandler } from './resource-context';

const GroupProperties = z.looseObject({
  ModelPackageGroupName: z.string(),
  ModelPackageGroupDescription: z.string().optional(),
  Tags: CfnTags,
});

/**
 * `AWS::SageMaker::ModelPackageGroup` -> CreateModelPackageGroup (moto's registry APIs work well, MOTO.md 3).
 * Ref and attribute `ModelPackageGroupArn` are the group's ARN.
 */
export const provisionModelPackageGroup: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, GroupProperties);
  const sagemaker = ctx.clients.sagemaker;
  let arn: string | undefined;
  try {
    arn = (
      await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: props.ModelPackageGroupName }))
    ).ModelPackageGroupArn;
  } catch (error) {
    if (!isAwsError(error, 'ValidationException', 'ResourceNotFound'))
      throw provisionFailure(ctx, 'DescribeModelPackageGroup', error);
  }
  if (arn === undefined) {
    try {
      arn = (
        await sagemaker.send(
          new CreateModelPackageGroupCommand({
            ModelPackageGroupName: props.ModelPackageGroupName,
            ModelPackageGroupDescription: props.ModelPackageGroupDescription,
            Tags: props.Tags,
          }),
        )
      ).ModelPackageGroupArn;
    } catch (error) {
      throw provisionFailure(ctx, 'CreateModelPackageGroup', error);
    }
  }
  if (arn === undefined) throw provisionFailure(ctx, 'CreateModelPackageGroup', new Error('no ARN returned'));
  return { physicalId: arn, attributes: { ModelPackageGroupArn: arn } };
};

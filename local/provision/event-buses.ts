import { CreateArchiveCommand, CreateEventBusCommand, DescribeArchiveCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';
import { CfnJsonDocument, CfnNumber, CfnTags, jsonText } from './cfn-schemas';
import { isAwsError, parseProperties, provisionFailure, type ResourceHandler } from './resource-context';

const BusProperties = z.looseObject({ Name: z.string(), Description: z.string().optional(), Tags: CfnTags });

const ArchiveProperties = z.looseObject({
  ArchiveName: z.string().optional(),
  SourceArn: z.string(),
  Description: z.string().optional(),
  EventPattern: CfnJsonDocument.optional(),
  RetentionDays: CfnNumber.optional(),
});

/** `AWS::Events::EventBus` -> CreateEventBus. Ref is the name; attributes `Arn`, `Name`. */
export const provisionEventBus: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, BusProperties);
  const arn = `arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:event-bus/${props.Name}`;
  try {
    await ctx.clients.eventbridge.send(
      new CreateEventBusCommand({ Name: props.Name, Description: props.Description, Tags: props.Tags }),
    );
  } catch (error) {
    if (!isAwsError(error, 'ResourceAlreadyExistsException')) throw provisionFailure(ctx, 'CreateEventBus', error);
  }
  return { physicalId: props.Name, attributes: { Arn: arn, Name: props.Name } };
};

/**
 * `AWS::Events::Archive` -> CreateArchive (moto counts matched events and can replay them).
 * Ref is the name; attribute `Arn`.
 */
export const provisionEventArchive: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, ArchiveProperties);
  const name = props.ArchiveName ?? ctx.generatedName({ maxLength: 48 });
  const eventbridge = ctx.clients.eventbridge;
  let arn: string | undefined;
  try {
    const created = await eventbridge.send(
      new CreateArchiveCommand({
        ArchiveName: name,
        EventSourceArn: props.SourceArn,
        Description: props.Description,
        ...(props.EventPattern === undefined ? {} : { EventPattern: jsonText(props.EventPattern) }),
        RetentionDays: props.RetentionDays,
      }),
    );
    arn = created.ArchiveArn;
  } catch (error) {
    if (!isAwsError(error, 'ResourceAlreadyExistsException')) throw provisionFailure(ctx, 'CreateArchive', error);
    arn = (await eventbridge.send(new DescribeArchiveCommand({ ArchiveName: name }))).ArchiveArn;
  }
  return {
    physicalId: name,
    attributes: { Arn: arn ?? `arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:archive/${name}` },
  };
};

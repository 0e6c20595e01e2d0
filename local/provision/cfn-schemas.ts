import * as z from 'zod';

/** A CloudFormation Boolean: templates may spell it `true` or `"true"`. */
export const CfnBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** A CloudFormation Number/Integer: templates may spell it `60` or `"60"`. */
export const CfnNumber = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

/** CloudFormation `Tags` (`[{Key, Value}]`). */
export const CfnTags = z.array(z.object({ Key: z.string(), Value: z.string() })).optional();

/** A JSON document that CloudFormation accepts as an object or as a JSON string (policies, patterns). */
export const CfnJsonDocument = z.union([z.record(z.string(), z.unknown()), z.string()]);

/** Serializes a {@link CfnJsonDocument} for an API that wants a JSON string. */
export function jsonText(document: Record<string, unknown> | string): string {
  return typeof document === 'string' ? document : JSON.stringify(document);
}

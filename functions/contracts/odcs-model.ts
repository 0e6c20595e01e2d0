/**
 * Typed view of the parts of an ODCS contract the compiler reads. The file has already passed the official JSON
 * Schema (3.0.2 or 3.1.0), so these shapes are loose: every key is kept (`looseObject`), and only what the compiler
 * uses is typed. Values whose type differs between versions (operators, `exclusiveMinimum`) stay `unknown` and are
 * checked where they are used.
 */
import * as z from 'zod';

/** `customProperties[]` entry: the ODCS extension point (3.0.2 requires neither key). */
export const customPropertySchema = z.looseObject({ property: z.string().optional(), value: z.unknown() });
export type OdcsCustomProperty = z.infer<typeof customPropertySchema>;

/**
 * A `quality[]` rule, 3.0.x (`rule:` + sibling keys) or 3.1.0 (`metric:` + `arguments`). Kept as a plain record: the
 * 3.0.x schema leaves rules open, so any key may hold any value; `odcs-quality-rules.ts` reads what it needs.
 */
export const qualityRuleSchema = z.record(z.string(), z.unknown());
export type OdcsQualityRule = z.infer<typeof qualityRuleSchema>;

/** A `properties[]` entry of a schema object: one column. */
export const propertySchema = z.looseObject({
  name: z.string(),
  physicalName: z.string().optional(),
  logicalType: z.string().optional(),
  logicalTypeOptions: z.record(z.string(), z.unknown()).optional(),
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  primaryKey: z.boolean().optional(),
  partitioned: z.boolean().optional(),
  quality: z.array(qualityRuleSchema).optional(),
  customProperties: z.array(customPropertySchema).optional(),
});
export type OdcsProperty = z.infer<typeof propertySchema>;

/** A `schema[]` entry: one table, file or topic. */
export const schemaObjectSchema = z.looseObject({
  name: z.string(),
  physicalName: z.string().optional(),
  properties: z.array(propertySchema).optional(),
  quality: z.array(qualityRuleSchema).optional(),
  customProperties: z.array(customPropertySchema).optional(),
});
export type OdcsSchemaObject = z.infer<typeof schemaObjectSchema>;

/** The contract file. */
export const contractSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  id: z.string(),
  version: z.string(),
  status: z.string(),
  name: z.string().optional(),
  schema: z.array(schemaObjectSchema).optional(),
  customProperties: z.array(customPropertySchema).optional(),
});
export type OdcsContract = z.infer<typeof contractSchema>;

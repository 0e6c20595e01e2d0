import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { TemplateError } from './errors';

const ResourceSchema = z.looseObject({
  Type: z.string().min(1),
  Properties: z.record(z.string(), z.unknown()).optional(),
  Metadata: z.record(z.string(), z.unknown()).optional(),
  DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
  Condition: z.string().optional(),
});

const ParameterSchema = z.looseObject({
  Type: z.string(),
  Default: z.unknown().optional(),
});

const TemplateSchema = z.looseObject({
  Resources: z.record(z.string(), ResourceSchema),
  Parameters: z.record(z.string(), ParameterSchema).optional(),
  Conditions: z.record(z.string(), z.unknown()).optional(),
  Mappings: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))).optional(),
  Outputs: z.record(z.string(), z.unknown()).optional(),
});

/** One resource of a CloudFormation template, as synthesized (intrinsics unresolved). */
export type TemplateResource = z.infer<typeof ResourceSchema>;

/** A synthesized CloudFormation template (only the sections the provisioner reads are typed). */
export type CfnTemplate = z.infer<typeof TemplateSchema>;

/** A template together with the name of its stack. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Absolute path of the template file. */
  readonly templateFile: string;
}

const ManifestSchema = z.looseObject({
  artifacts: z
    .record(
      z.string(),
      z.looseObject({
        type: z.string(),
        displayName: z.string().optional(),
        properties: z.looseObject({ templateFile: z.string().optional(), stackName: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

/** Validates a parsed template. */
export function parseTemplate(value: unknown, source = 'template'): CfnTemplate {
  const parsed = TemplateSchema.safeParse(value);
  if (!parsed.success) {
    throw new TemplateError(`${source} is not a CloudFormation template: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * Reads a stack's template from a cloud assembly (`cdk.out`). The stack is found in `manifest.json`; when
 * the assembly holds several stacks, `stackName` must name one.
 */
export function loadSynthesizedStack(cdkOutDir: string, stackName?: string): SynthesizedStack {
  const manifestFile = join(cdkOutDir, 'manifest.json');
  const manifest = ManifestSchema.safeParse(readJson(manifestFile));
  if (!manifest.success) {
    throw new TemplateError(`${manifestFile} is not a cloud assembly manifest: ${z.prettifyError(manifest.error)}`);
  }
  const stacks = Object.entries(manifest.data.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([id, artifact]) => ({
      name: artifact.properties?.stackName ?? artifact.displayName ?? id,
      templateFile: artifact.properties?.templateFile ?? `${id}.template.json`,
    }));
  const names = stacks.map((stack) => stack.name).join(', ') || '(none)';
  const chosen =
    stackName === undefined
      ? stacks.length === 1
        ? stacks[0]
        : undefined
      : stacks.find((stack) => stack.name === stackName);
  if (chosen === undefined) {
    throw new TemplateError(
      stackName === undefined
        ? `${manifestFile} has ${stacks.length} stacks (${names}); name the one to provision`
        : `${manifestFile} has no stack "${stackName}"; it has: ${names}`,
    );
  }
  const templateFile = join(cdkOutDir, chosen.templateFile);
  return { stackName: chosen.name, templateFile, template: parseTemplate(readJson(templateFile), templateFile) };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TemplateError(`cannot read ${file} (run \`cdk synth\` first)`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TemplateError(`${file} is not valid JSON`, { cause: error });
  }
}

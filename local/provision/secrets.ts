import { randomInt } from 'node:crypto';
import { CreateSecretCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { CfnBoolean, CfnNumber, CfnTags } from './cfn-schemas';
import { isAwsError, parseProperties, provisionFailure, type ResourceHandler } from './resource-context';

const GenerateSecretString = z.looseObject({
  SecretStringTemplate: z.string().optional(),
  GenerateStringKey: z.string().optional(),
  PasswordLength: CfnNumber.optional(),
  ExcludeCharacters: z.string().optional(),
  ExcludeLowercase: CfnBoolean.optional(),
  ExcludeUppercase: CfnBoolean.optional(),
  ExcludeNumbers: CfnBoolean.optional(),
  ExcludePunctuation: CfnBoolean.optional(),
  IncludeSpace: CfnBoolean.optional(),
});

const SecretProperties = z.looseObject({
  Name: z.string().optional(),
  Description: z.string().optional(),
  KmsKeyId: z.string().optional(),
  SecretString: z.string().optional(),
  GenerateSecretString: GenerateSecretString.optional(),
  Tags: CfnTags,
});

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** A password following the `GenerateSecretString` rules (Secrets Manager's defaults: 32 characters, all classes). */
export function generatePassword(rules: z.infer<typeof GenerateSecretString>): string {
  let alphabet = '';
  if (rules.ExcludeLowercase !== true) alphabet += 'abcdefghijklmnopqrstuvwxyz';
  if (rules.ExcludeUppercase !== true) alphabet += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (rules.ExcludeNumbers !== true) alphabet += '0123456789';
  if (rules.ExcludePunctuation !== true) alphabet += PUNCTUATION;
  if (rules.IncludeSpace === true) alphabet += ' ';
  const excluded = new Set(rules.ExcludeCharacters ?? '');
  const characters = [...alphabet].filter((c) => !excluded.has(c));
  if (characters.length === 0) throw new Error('GenerateSecretString excludes every character');
  return Array.from({ length: rules.PasswordLength ?? 32 }, () => characters[randomInt(characters.length)]).join('');
}

/**
 * `AWS::SecretsManager::Secret` -> CreateSecret with `SecretString`, or a value generated from
 * `GenerateSecretString` (merged into `SecretStringTemplate` under `GenerateStringKey`). A secret that exists
 * already keeps its value. Ref is the ARN (with Secrets Manager's random suffix); attribute `Id`.
 */
export const provisionSecret: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, SecretProperties);
  const name = props.Name ?? ctx.generatedName({ maxLength: 512 });
  const secrets = ctx.clients.secretsManager;
  let arn: string | undefined;
  try {
    arn = (
      await secrets.send(
        new CreateSecretCommand({
          Name: name,
          Description: props.Description,
          KmsKeyId: props.KmsKeyId,
          SecretString: props.SecretString ?? secretValue(props.GenerateSecretString),
          Tags: props.Tags,
        }),
      )
    ).ARN;
  } catch (error) {
    if (!isAwsError(error, 'ResourceExistsException')) throw provisionFailure(ctx, `CreateSecret ${name}`, error);
    arn = (await secrets.send(new DescribeSecretCommand({ SecretId: name }))).ARN;
  }
  if (arn === undefined) throw provisionFailure(ctx, `CreateSecret ${name}`, new Error('no ARN returned'));
  return { physicalId: arn, attributes: { Id: arn } };
};

function secretValue(rules: z.infer<typeof GenerateSecretString> | undefined): string {
  const password = generatePassword(rules ?? {});
  if (rules?.SecretStringTemplate === undefined || rules.GenerateStringKey === undefined) return password;
  const template: unknown = JSON.parse(rules.SecretStringTemplate);
  const base = typeof template === 'object' && template !== null && !Array.isArray(template) ? template : {};
  return JSON.stringify({ ...base, [rules.GenerateStringKey]: password });
}

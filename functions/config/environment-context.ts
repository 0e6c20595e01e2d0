/**
 * Environment-specific settings from CDK context (`cdk.json` or `cdk synth -c key=value`). Account and Region are not
 * here: they come from the CDK environment (`CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`).
 */
import * as z from 'zod';
import {
  closestMatch,
  ConfigError,
  describeValue,
  fallbackErrorMap,
  problemsFromZodError,
  unknownKeyMessage,
  type ConfigProblem,
} from './pipeline-config';

/** Where context problems are reported from. */
export const CONTEXT_SOURCE = 'cdk.json context';

/** Context keys read by {@link parseEnvironmentContext}. */
export const CONTEXT_KEYS = {
  stage: 'mlops:stage',
  slackSecretName: 'mlops:slackSecretName',
  vpc: 'mlops:vpc',
  networkIsolation: 'mlops:networkIsolation',
  removalPolicy: 'mlops:removalPolicy',
  alarmEmail: 'mlops:alarmEmail',
} as const;

/** Subnets and security groups for SageMaker training jobs and endpoints. */
export interface VpcContext {
  /** 1 to 16 subnet ids. */
  readonly subnetIds: readonly string[];
  /** 1 to 5 security group ids. */
  readonly securityGroupIds: readonly string[];
}

/** Validated environment context. */
export interface EnvironmentContext {
  /** Deployment stage; part of the stack name and of resource names. @default 'dev' */
  readonly stage: string;
  /** Secrets Manager secret holding the Slack webhook URL(s). @default undefined: Slack notifications off */
  readonly slackSecretName?: string;
  /** @default undefined: SageMaker jobs and endpoints run outside a VPC */
  readonly vpc?: VpcContext;
  /** Run training and serving containers with `EnableNetworkIsolation`. @default false */
  readonly networkIsolation: boolean;
  /** What happens to buckets, table and keys when the stack is deleted. @default 'retain' */
  readonly removalPolicy: 'retain' | 'destroy';
  /** Address subscribed to the operational alarm topic. @default undefined: no e-mail subscription */
  readonly alarmEmail?: string;
}

/** The CDK context is invalid; `problems` lists each problem, `message` has one per line. */
export class ContextConfigError extends ConfigError {
  public override readonly name = 'ContextConfigError';

  public constructor(problems: readonly ConfigProblem[], options?: ErrorOptions) {
    super(problems, options);
  }
}

const expected =
  (what: string) =>
  (issue: { readonly input?: unknown }): string =>
    `expected ${what}, got ${describeValue(issue.input)}`;

/** `-c key=value` on the command line always gives a string, so `"true"` and `"false"` count as booleans. */
const booleanLike = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean({ error: expected('true or false') }),
);

/** Empty strings mean "not set": `cdk.json` keeps the key visible with an empty value. */
const unsetIfEmpty = (value: unknown): unknown => (value === '' || value === null ? undefined : value);

const subnetId = z
  .string({ error: expected('a subnet id (subnet-...)') })
  .regex(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: expected('a subnet id (subnet-...)') });
const securityGroupId = z
  .string({ error: expected('a security group id (sg-...)') })
  .regex(/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: expected('a security group id (sg-...)') });

const vpcWhat = 'a mapping {subnetIds, securityGroupIds} or its JSON text';
const vpcKeys = ['subnetIds', 'securityGroupIds'];

const vpcSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'string' || value === '') return value;
    try {
      const parsed: unknown = JSON.parse(value);
      return parsed;
    } catch {
      return value; // left as a string, so the schema reports it with the text found
    }
  },
  z.strictObject(
    {
      subnetIds: z
        .array(subnetId, { error: expected('a list of 1 to 16 subnet ids') })
        .min(1, { error: expected('a list of 1 to 16 subnet ids') })
        .max(16, { error: expected('a list of 1 to 16 subnet ids') }),
      securityGroupIds: z
        .array(securityGroupId, { error: expected('a list of 1 to 5 security group ids') })
        .min(1, { error: expected('a list of 1 to 5 security group ids') })
        .max(5, { error: expected('a list of 1 to 5 security group ids') }),
    },
    {
      error: (issue) => {
        if (issue.code !== 'unrecognized_keys') return expected(vpcWhat)(issue);
        return issue.keys.map((key) => unknownKeyMessage(key, vpcKeys)).join('\n');
      },
    },
  ),
);

const removalPolicies = ['retain', 'destroy'] as const;

const contextSchemas = {
  stage: z
    .string({
      error: expected(
        'a stage name of 1 to 16 characters: a lowercase letter, then lowercase letters, digits or hyphens',
      ),
    })
    .regex(/^[a-z][a-z0-9-]{0,15}$/, {
      error: expected(
        'a stage name of 1 to 16 characters: a lowercase letter, then lowercase letters, digits or hyphens',
      ),
    })
    .default('dev'),
  slackSecretName: z
    .string({ error: expected('a Secrets Manager secret name (letters, digits and /_+=.@-)') })
    .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, {
      error: expected('a Secrets Manager secret name (letters, digits and /_+=.@-)'),
    })
    .optional(),
  vpc: vpcSchema.optional(),
  networkIsolation: booleanLike.default(false),
  removalPolicy: z
    .enum(removalPolicies, {
      error: (issue) => {
        const match = typeof issue.input === 'string' ? closestMatch(issue.input, removalPolicies) : undefined;
        return `${expected('one of retain, destroy')(issue)}${match === undefined ? '' : ` (did you mean "${match}"?)`}`;
      },
    })
    .default('retain'),
  alarmEmail: z
    .string({ error: expected('an email address') })
    .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { error: expected('an email address') })
    .optional(),
};

/**
 * Reads and validates the `mlops:*` context keys.
 *
 * @param get - looks a context key up, e.g. `(key) => app.node.tryGetContext(key)`
 * @throws ContextConfigError listing every invalid key, e.g.
 *   `cdk.json context: mlops:vpc.subnetIds[0]: expected a subnet id (subnet-...), got "abc"`
 */
export function parseEnvironmentContext(get: (key: string) => unknown): EnvironmentContext {
  const problems: ConfigProblem[] = [];
  const read = <T>(field: keyof typeof CONTEXT_KEYS, schema: z.ZodType<T>, clearEmpty: boolean): T | undefined => {
    const key = CONTEXT_KEYS[field];
    const raw = get(key);
    const result = schema.safeParse(clearEmpty ? unsetIfEmpty(raw) : raw, { error: fallbackErrorMap });
    if (result.success) return result.data;
    for (const problem of problemsFromZodError(result.error, CONTEXT_SOURCE)) {
      const path =
        problem.path === '' ? key : problem.path.startsWith('[') ? key + problem.path : `${key}.${problem.path}`;
      problems.push({ ...problem, path });
    }
    return undefined;
  };

  const stage = read('stage', contextSchemas.stage, true);
  const slackSecretName = read('slackSecretName', contextSchemas.slackSecretName, true);
  const vpc = read('vpc', contextSchemas.vpc, true);
  const networkIsolation = read('networkIsolation', contextSchemas.networkIsolation, true);
  const removalPolicy = read('removalPolicy', contextSchemas.removalPolicy, true);
  const alarmEmail = read('alarmEmail', contextSchemas.alarmEmail, true);

  if (problems.length > 0 || stage === undefined || networkIsolation === undefined || removalPolicy === undefined) {
    throw new ContextConfigError(problems);
  }
  return {
    stage,
    networkIsolation,
    removalPolicy,
    ...(slackSecretName === undefined ? {} : { slackSecretName }),
    ...(vpc === undefined ? {} : { vpc }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
  };
}
